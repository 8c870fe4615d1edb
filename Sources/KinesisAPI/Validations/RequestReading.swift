import KinesisWire

/// Reads a request body's top-level object: malformed JSON becomes a
/// SerializationException, a check failed inside `member` stays what it is.
func readRequest(_ json: [UInt8], _ member: (inout JSONReader, String) throws -> Void) throws(KinesisAPIError) {
    var reader = JSONReader(json)
    do {
        try reader.readObject(member)
        try reader.finish()
    } catch let error as KinesisAPIError {
        throw error
    } catch let error as WireError {
        throw .serialization(error.message)
    } catch {
        throw .serialization("\(error)")
    }
}

/// The wording Kinesis uses for a member that breaks its constraints.
func constraintError(_ field: String, value: String?, _ rule: String) -> KinesisAPIError {
    let shown = value.map { "'\($0.prefix(100))'" } ?? "null"
    return .validation("1 validation error detected: Value \(shown) at '\(field)' failed to satisfy constraint: \(rule)")
}

/// A page size given in a request, checked against `range` (nil when not given).
func pageSize(_ value: Int64?, field: String, range: ClosedRange<Int>) throws(KinesisAPIError) -> Int? {
    guard let value else { return nil }
    guard value >= Int64(range.lowerBound), value <= Int64(range.upperBound) else {
        throw constraintError(field, value: String(value), "Member must have value between \(range.lowerBound) and \(range.upperBound)")
    }
    return Int(value)
}

func missing(_ field: String) -> KinesisAPIError {
    constraintError(field, value: nil, "Member must not be null")
}

extension JSONReader {
    /// A string member, nil when null.
    mutating func optionalString(_ field: @autoclosure () -> String) throws -> String? {
        if readNull() { return nil }
        try expectKind(.string, field())
        return try readString()
    }

    /// A whole-number member, nil when null.
    mutating func optionalInteger(_ field: @autoclosure () -> String) throws -> Int64? {
        if readNull() { return nil }
        try expectKind(.number, field())
        return try readInteger(field: field())
    }

    /// A base64 member, nil when null.
    mutating func optionalBase64(_ field: @autoclosure () -> String) throws -> [UInt8]? {
        if readNull() { return nil }
        try expectKind(.string, field())
        return try readBase64(field: field())
    }

    /// A timestamp member (seconds since the epoch, as the JSON protocol sends them) in milliseconds.
    mutating func optionalTimestamp(_ field: @autoclosure () -> String) throws -> Int64? {
        if readNull() { return nil }
        try expectKind(.number, field())
        let seconds = try readDouble()
        guard abs(seconds) < 1e12 else { throw KinesisAPIError.serialization("\(field()) is \(seconds) seconds, out of range") }
        return Int64((seconds * 1000).rounded())
    }

    mutating func expectKind(_ kind: Kind, _ field: @autoclosure () -> String) throws {
        let found = try peekKind()
        guard found == kind else { throw KinesisAPIError.serialization("\(field()) must be \(kind.name), got \(found.name)") }
    }
}

extension JSONReader.Kind {
    var name: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "true or false"
        case .null: "null"
        }
    }
}

/// Kinesis's pattern for sequence numbers, `0|([1-9]\d{0,128})`: 1 to `maximumDigits`
/// decimal digits without a leading zero.
func isDecimalInteger(_ text: String, maximumDigits: Int) -> Bool {
    let digits = text.utf8
    return (1...maximumDigits).contains(digits.count) && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        && (digits.count == 1 || digits.first != UInt8(ascii: "0"))
}
