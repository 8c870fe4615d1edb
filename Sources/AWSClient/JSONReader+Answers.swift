import KinesisWire

/// What reading AWS's JSON answers (Kinesis, DynamoDB) needs beyond the request reader: optional members
/// (AWS omits them, moto writes null), timestamps read exactly from their digits, and
/// where a string lies in the body (so record data is decoded straight into a block).
extension JSONReader {
    public mutating func optionalString() throws(WireError) -> String? {
        readNull() ? nil : try readString()
    }

    public mutating func requiredString(_ field: @autoclosure () -> String) throws(WireError) -> String {
        guard try peekKind() == .string else { throw WireError("\(field()) is not a string") }
        return try readString()
    }

    /// The range of a string's content in `bytes`, quotes excluded, escapes left in.
    public mutating func stringRange(_ field: @autoclosure () -> String) throws -> Range<Int> {
        guard try peekKind() == .string else { throw WireError("\(field()) is not a string") }
        let start = position + 1
        try withStringBytes { _ in }
        return start..<(position - 1)
    }

    /// Epoch seconds, maybe with a fraction (`1796120695.973`), as milliseconds: taken from
    /// the digits, since a Double of such a time is not exact to the millisecond.
    public mutating func epochMillis(_ field: @autoclosure () -> String) throws(WireError) -> Int64 {
        guard try peekKind() == .number else { throw WireError("\(field()) is not a number of epoch seconds") }
        let start = position
        let value = try readDouble()
        let text = bytes[start..<position]
        if text.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            let millis = (value * 1000).rounded()
            guard abs(millis) < 9e15 else { throw WireError("\(field()) is \(value) seconds, out of range") }
            return Int64(millis)
        }
        var seconds: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var inFraction = false
        for byte in text {
            switch byte {
            case UInt8(ascii: "."): inFraction = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int64(byte - UInt8(ascii: "0"))
                if inFraction {
                    if fractionDigits < 3 {
                        fraction = fraction * 10 + digit
                        fractionDigits += 1
                    }
                } else {
                    guard seconds < 1_000_000_000_000 else { throw WireError("\(field()) is \(value) seconds, out of range") }
                    seconds = seconds * 10 + digit
                }
            default: break
            }
        }
        while fractionDigits < 3 {
            fraction *= 10
            fractionDigits += 1
        }
        let millis = seconds * 1000 + fraction
        return text.first == UInt8(ascii: "-") ? -millis : millis
    }
}

/// Reads `body` as one JSON object, handing each member to `member`; whatever goes wrong
/// is a `WireError` naming the byte.
public func readAnswer(_ body: [UInt8], _ member: (inout JSONReader, String) throws -> Void) throws(WireError) {
    var reader = JSONReader(body)
    do {
        guard try reader.peekKind() == .object else { throw WireError("the answer is not a JSON object") }
        try reader.readObject(member)
        try reader.finish()
    } catch let error as WireError {
        throw error
    } catch {
        throw WireError("\(error)")
    }
}
