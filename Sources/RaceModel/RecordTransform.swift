/// The firehose transform on bytes: validate a rider record and append
/// `"output":X` before its closing brace, keeping every other byte as sent.
public enum RecordTransform {
    /// Appends the transformed record and a newline to `out`, or throws why the
    /// record cannot be transformed (and leaves `out` as it was).
    public static func transform(_ record: UnsafeBufferPointer<UInt8>, rules: RecordRules = .standard, into out: inout [UInt8]) throws(RecordError) -> RaceMessage {
        var message = try RecordParser.parse(record, rules: rules)
        let output = message.computedOutput
        if message.output == nil, let close = lastNonWhitespace(record), record[close] == UInt8(ascii: "}") {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: record[..<close]))
            // An empty object would fail validation, so the body is never empty here.
            RecordWriter.appendLiteral(",\"output\":", into: &out)
            output.write(into: &out)
            RecordWriter.appendLiteral("}\n", into: &out)
        } else {
            // A record that already carries an output gets it replaced.
            message.output = output
            RecordWriter.write(message, into: &out)
            out.append(UInt8(ascii: "\n"))
        }
        message.output = output
        return message
    }

    public static func transform(_ record: [UInt8], rules: RecordRules = .standard) throws(RecordError) -> [UInt8] {
        var out: [UInt8] = []
        let result: Result<Void, RecordError> = record.withUnsafeBufferPointer { buffer in
            Result { () throws(RecordError) in _ = try transform(buffer, rules: rules, into: &out) }
        }
        try result.get()
        return out
    }

    private static func lastNonWhitespace(_ record: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = record.count - 1
        while i >= 0 {
            switch record[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i -= 1
            default: return i
            }
        }
        return nil
    }
}
