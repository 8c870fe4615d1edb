import RaceModel

/// A strict pull reader of one JSON document (RFC 8259) on bytes: the caller walks
/// the shape it expects, so a request decodes without building a tree. It runs
/// for every request of the network ingest path; Foundation's decoders cost
/// microseconds per record here.
public struct JSONReader {
    public let bytes: [UInt8]
    public private(set) var position = 0
    private var depth = 0

    /// Deeper nesting than any API request needs is refused rather than recursed into.
    public static let maximumDepth = 64

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The kind of the next value, without consuming it.
    public enum Kind: Sendable, Equatable {
        case object, array, string, number, bool, null
    }

    public mutating func peekKind() throws(WireError) -> Kind {
        skipWhitespace()
        guard position < bytes.count else { throw error("expected a value, found the end of the body") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("unexpected \(describe(bytes[position]))")
        }
    }

    /// Reads an object, calling `member` with each name; `member` must read (or skip) the value.
    public mutating func readObject(_ member: (inout JSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"), "'{' to start an object")
        try enter()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name in double quotes") }
            let name = try readString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after member name \"\(name.prefix(40))\"")
            try member(&self, name)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return
            default:
                throw error("expected ',' or '}' after the value of \"\(name.prefix(40))\"")
            }
        }
    }

    /// Reads an array, calling `element` with each index; `element` must read (or skip) the value.
    public mutating func readArray(_ element: (inout JSONReader, Int) throws -> Void) throws {
        try expect(UInt8(ascii: "["), "'[' to start an array")
        try enter()
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return
        }
        var index = 0
        while true {
            try element(&self, index)
            index += 1
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return
            default:
                throw error("expected ',' or ']' after array element \(index - 1)")
            }
        }
    }

    /// Consumes a `null` if one is next.
    public mutating func readNull() -> Bool {
        skipWhitespace()
        if matches("null") {
            position += 4
            return true
        }
        return false
    }

    public mutating func readBool() throws(WireError) -> Bool {
        skipWhitespace()
        if matches("true") {
            position += 4
            return true
        }
        if matches("false") {
            position += 5
            return false
        }
        throw error("expected true or false")
    }

    public mutating func readString() throws(WireError) -> String {
        skipWhitespace()
        let (start, end, escaped) = try scanString()
        if !escaped {
            let text = bytes.withUnsafeBufferPointer { String(utf8Bytes: UnsafeBufferPointer(rebasing: $0[start..<end])) }
            guard let text else { throw WireError("Malformed JSON at byte \(start): a string is not valid UTF-8") }
            return text
        }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(end - start)
        try unescape(start, end, into: &unescaped)
        guard let text = String(validating: unescaped, as: UTF8.self) else {
            throw WireError("Malformed JSON at byte \(start): a string is not valid UTF-8")
        }
        return text
    }

    /// Hands `body` the UTF-8 bytes of a string value without making a String (unescaped
    /// first if it has escapes): for values parsed further, such as sequence numbers.
    public mutating func withStringBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) throws -> T {
        skipWhitespace()
        let (start, end, escaped) = try scanString()
        if escaped {
            var unescaped: [UInt8] = []
            try unescape(start, end, into: &unescaped)
            return try unescaped.withUnsafeBufferPointer(body)
        }
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Reads a string holding base64 and returns the bytes it encodes; `field` names it in the error.
    public mutating func readBase64(field: @autoclosure () -> String) throws(WireError) -> [UInt8] {
        skipWhitespace()
        let (start, end, escaped) = try scanString()
        let decoded: [UInt8]?
        if escaped {
            var unescaped: [UInt8] = []
            try unescape(start, end, into: &unescaped)
            decoded = unescaped.withUnsafeBufferPointer { Base64.decode($0) }
        } else {
            decoded = bytes.withUnsafeBufferPointer { Base64.decode(UnsafeBufferPointer(rebasing: $0[start..<end])) }
        }
        guard let decoded else {
            throw WireError("\(field()) is not valid base64: send the bytes base64-encoded with '=' padding")
        }
        return decoded
    }

    /// Reads a number that must be a whole number in Int64; `field` names it in the error.
    public mutating func readInteger(field: @autoclosure () -> String) throws(WireError) -> Int64 {
        let (text, isInteger) = try scanNumber()
        guard isInteger, let value = Int64(text) else {
            throw WireError("\(field()) is \(text), must be a whole number")
        }
        return value
    }

    public mutating func readDouble() throws(WireError) -> Double {
        let (text, _) = try scanNumber()
        guard let value = Double(text), value.isFinite else { throw WireError("the number \(text) is out of range") }
        return value
    }

    /// Skips one value of any kind.
    public mutating func skipValue() throws {
        switch try peekKind() {
        case .object: try readObject { reader, _ in try reader.skipValue() }
        case .array: try readArray { reader, _ in try reader.skipValue() }
        case .string: _ = try scanString()
        case .number: _ = try scanNumber()
        case .bool: _ = try readBool()
        case .null: if !readNull() { throw error("expected null") }
        }
    }

    /// After the top-level value: only whitespace may follow.
    public mutating func finish() throws(WireError) {
        skipWhitespace()
        if position < bytes.count { throw error("unexpected \(describe(bytes[position])) after the end of the document") }
    }

    // MARK: - Scanning

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: @autoclosure () -> String) throws(WireError) {
        skipWhitespace()
        guard peek() == byte else {
            throw error("expected \(what()), found \(position < bytes.count ? describe(bytes[position]) : "the end of the body")")
        }
        position += 1
    }

    private mutating func enter() throws(WireError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw WireError("Malformed JSON at byte \(position - 1): nesting deeper than \(Self.maximumDepth) levels")
        }
    }

    private func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        return word.withUTF8Buffer { literal in
            for offset in 0..<count where bytes[position + offset] != literal[offset] { return false }
            return true
        }
    }

    /// Scans a string from its opening quote: the range of its content and whether it has escapes.
    private mutating func scanString() throws(WireError) -> (start: Int, end: Int, escaped: Bool) {
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a string") }
        let start = position + 1
        var index = start
        var escaped = false
        let count = bytes.count
        let found: Int? = bytes.withUnsafeBufferPointer { buffer in
            while index < count {
                let byte = buffer[index]
                if byte == UInt8(ascii: "\"") { return index }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    index += 2
                    continue
                }
                if byte < 0x20 { return -index - 1 }
                index += 1
            }
            return nil
        }
        guard let end = found else { throw WireError("Malformed JSON at byte \(start - 1): a string is not closed") }
        if end < 0 { throw WireError("Malformed JSON at byte \(-end - 1): a control character must be escaped inside a string") }
        position = end + 1
        return (start, end, escaped)
    }

    private func unescape(_ start: Int, _ end: Int, into output: inout [UInt8]) throws(WireError) {
        var index = start
        while index < end {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < end else { throw WireError("Malformed JSON at byte \(index): an escape is cut off") }
            let code = bytes[index + 1]
            index += 2
            switch code {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(code)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: index, end: end)
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 6 <= end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw WireError("Malformed JSON at byte \(index - 6): a high surrogate \\u escape is not followed by a low one")
                    }
                    let low = try hex4(at: index + 2, end: end)
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw WireError("Malformed JSON at byte \(index): \\u escape after a high surrogate is not a low surrogate")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw WireError("Malformed JSON at byte \(index - 6): a lone low surrogate \\u escape")
                }
                output.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default:
                throw WireError("Malformed JSON at byte \(index - 2): unknown escape \(describe(code))")
            }
        }
    }

    private func hex4(at index: Int, end: Int) throws(WireError) -> UInt32 {
        guard index + 4 <= end else { throw WireError("Malformed JSON at byte \(index): a \\u escape needs 4 hex digits") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw WireError("Malformed JSON at byte \(index): a \\u escape needs 4 hex digits")
            }
            value = value << 4 | digit
        }
        return value
    }

    /// Scans a number by the JSON grammar: its text and whether it has no fraction or exponent.
    private mutating func scanNumber() throws(WireError) -> (String, Bool) {
        skipWhitespace()
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw error("expected a number") }
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        var isInteger = true
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let digit = peek(), isDigit(digit) else { throw error("expected a digit after '.'") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek(), isDigit(digit) else { throw error("expected a digit in the exponent") }
            skipDigits()
        }
        if position - start > 64 { throw WireError("Malformed JSON at byte \(start): a number longer than 64 characters") }
        return (String(decoding: bytes[start..<position], as: UTF8.self), isInteger)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private func error(_ message: String) -> WireError {
        WireError("Malformed JSON at byte \(position): \(message)")
    }
}
