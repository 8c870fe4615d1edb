/// The head of one data item (RFC 8949 §3): its major type, additional information and
/// argument (the value, length, count, tag number or float bits; 0 for an indefinite length).
struct CBORHead {
    let major: UInt8
    let info: UInt8
    let argument: UInt64
    /// Where its initial byte is.
    let offset: Int

    var isIndefinite: Bool { info == 31 }
    var initial: UInt8 { major << 5 | info }

    /// What RFC 8949 calls the item, with its article, for error messages.
    var item: String {
        let noun =
            switch major {
            case 0: "unsigned integer"
            case 1: "negative integer"
            case 2: "byte string"
            case 3: "text string"
            case 4: "array"
            case 5: "map"
            case 6: "tag"
            default:
                switch info {
                case 25: "half-precision float"
                case 26: "single-precision float"
                case 27: "double-precision float"
                default: "simple value"
                }
            }
        if isIndefinite { return "an indefinite-length \(noun)" }
        return ["a", "u"].contains(noun.first) ? "an \(noun)" : "a \(noun)"
    }
}

/// A pull reader of one CBOR data item on bytes, with the limits hostile input needs:
/// arrays, maps and tags nest at most `maximumDepth` levels, and every declared length or
/// count is checked against the bytes left before anything is read or allocated for it.
/// Its callers walk the item (`CBORValue` builds a tree, the request transcoder writes
/// JSON as it goes) with `head`, `forEach`, `stringBytes`, `withText` and `text`.
struct CBORReader {
    let bytes: [UInt8]
    private(set) var position = 0
    private var depth = 0

    /// Deeper nesting than any Kinesis request needs is refused rather than recursed into
    /// (the same limit as `JSONReader`'s).
    static let maximumDepth = 64

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var left: Int { bytes.count - position }

    /// Reads the head of the next item. `container` is the array, map, tag or indefinite
    /// string the item belongs to (nil for the top-level item), named if the body ends first.
    /// A break byte is refused here: where one may stand, `atBreak` reads it first.
    mutating func head(in container: CBORHead?) throws(CBORError) -> CBORHead {
        guard position < bytes.count else {
            guard let container else { throw .empty }
            throw .endInside(item: container.item, at: container.offset, end: bytes.count)
        }
        let offset = position
        let initial = bytes[offset]
        position += 1
        let major = initial >> 5
        let info = initial & 0x1F
        var argument: UInt64 = 0
        switch info {
        case 0..<24:
            argument = UInt64(info)
        case 24...27:
            let size = 1 << Int(info - 24)
            guard left >= size else {
                throw .argumentCut(item: CBORHead(major: major, info: info, argument: 0, offset: offset).item, at: offset, needs: size, left: left)
            }
            for index in position..<position + size {
                argument = argument << 8 | UInt64(bytes[index])
            }
            position += size
        case 28...30:
            throw .reservedInfo(at: offset, initial: initial)
        default:
            switch major {
            case 7:
                throw .unexpectedBreak(at: offset)
            case 0, 1, 6:
                throw .indefiniteLength(item: CBORHead(major: major, info: 0, argument: 0, offset: offset).item, at: offset, initial: initial)
            default:
                break
            }
        }
        if major == 7, info == 24, argument < 32 {
            throw .simpleInTwoBytes(at: offset, value: UInt8(argument))
        }
        return CBORHead(major: major, info: info, argument: argument, offset: offset)
    }

    /// Inside the indefinite-length `container`: whether its break byte is next (and reads it).
    mutating func atBreak(of container: CBORHead) throws(CBORError) -> Bool {
        guard position < bytes.count else {
            throw .endInside(item: container.item, at: container.offset, end: bytes.count)
        }
        guard bytes[position] == 0xFF else { return false }
        position += 1
        return true
    }

    /// Counts one more level of nesting for the array, map or tag whose head was read.
    mutating func enter(_ head: CBORHead) throws(CBORError) {
        depth += 1
        if depth > Self.maximumDepth { throw .tooDeep(item: head.item, at: head.offset) }
    }

    mutating func leave() {
        depth -= 1
    }

    /// Calls `body` for each item of the array, or each pair of the map, whose head was read;
    /// `body` reads the item (or the key, then the value). A definite count is checked first
    /// against the bytes left: every item takes at least one.
    mutating func forEach(in container: CBORHead, _ body: (inout CBORReader) throws(CBORError) -> Void) throws(CBORError) {
        if container.isIndefinite {
            while try !atBreak(of: container) { try body(&self) }
            return
        }
        let bytesPerItem: UInt64 = container.major == 5 ? 2 : 1
        guard container.argument <= UInt64(left) / bytesPerItem else {
            throw .countBeyondEnd(item: container.item, at: container.offset, declared: container.argument, left: left)
        }
        for _ in 0..<container.argument { try body(&self) }
    }

    /// The bytes of a byte or text string whose head was read.
    enum StringBytes {
        /// A definite string: where it is in `bytes`.
        case range(Range<Int>)
        /// An indefinite string: its chunks joined.
        case joined([UInt8])
    }

    /// The bytes of the string whose head was read. The chunks of an indefinite one must be
    /// definite strings of its major type; a text string's are each valid UTF-8 on their own
    /// (RFC 8949 §3.2.3), which this checks, so that joined they are too.
    mutating func stringBytes(_ head: CBORHead) throws(CBORError) -> StringBytes {
        guard head.isIndefinite else { return .range(try definiteString(head)) }
        var joined: [UInt8] = []
        while try !atBreak(of: head) {
            let chunk = try self.head(in: head)
            guard chunk.major == head.major, !chunk.isIndefinite else {
                throw .badChunk(item: head.item, at: head.offset, chunkAt: chunk.offset, initial: chunk.initial)
            }
            let range = try definiteString(chunk)
            if head.major == 3, !isValidUTF8(range) {
                throw .invalidUTF8(item: "a chunk of a text string", at: chunk.offset)
            }
            joined.append(contentsOf: bytes[range])
        }
        return .joined(joined)
    }

    /// Hands `body` the UTF-8 of the text string whose head was read, once it is checked.
    mutating func withText<T>(_ head: CBORHead, _ body: (UnsafeBufferPointer<UInt8>) -> T) throws(CBORError) -> T {
        switch try stringBytes(head) {
        case let .range(range):
            guard isValidUTF8(range) else { throw .invalidUTF8(item: head.item, at: head.offset) }
            return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
        case let .joined(joined):
            return joined.withUnsafeBufferPointer(body)
        }
    }

    /// The text of the text string whose head was read.
    mutating func text(_ head: CBORHead) throws(CBORError) -> String {
        try withText(head) { String(decoding: $0, as: UTF8.self) }
    }

    /// The value of the float whose head was read (additional information 25, 26 or 27).
    static func float(_ head: CBORHead) -> Double {
        switch head.info {
        case 25: half(UInt16(truncatingIfNeeded: head.argument))
        case 26: Double(Float(bitPattern: UInt32(truncatingIfNeeded: head.argument)))
        default: Double(bitPattern: head.argument)
        }
    }

    /// After the top-level item: nothing may follow.
    func finish() throws(CBORError) {
        if position < bytes.count { throw .trailingBytes(at: position, count: bytes.count - position) }
    }

    private mutating func definiteString(_ head: CBORHead) throws(CBORError) -> Range<Int> {
        guard head.argument <= UInt64(left) else {
            throw .stringBeyondEnd(item: head.item, at: head.offset, declared: head.argument, left: left)
        }
        let start = position
        position += Int(head.argument)
        return start..<position
    }

    /// Whether `range` of `bytes` is UTF-8: ASCII, the common case, is checked here without
    /// making a String; from the first other byte on, by the standard library's validation.
    private func isValidUTF8(_ range: Range<Int>) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var index = range.lowerBound
            while index < range.upperBound, buffer[index] < 0x80 { index += 1 }
            return index == range.upperBound
                || String(validating: UnsafeBufferPointer(rebasing: buffer[index..<range.upperBound]), as: UTF8.self) != nil
        }
    }

    /// IEEE 754 half precision (RFC 8949 Appendix D), without `Float16`, which not every
    /// platform this builds on has.
    private static func half(_ bits: UInt16) -> Double {
        let exponent = Int(bits >> 10 & 0x1F)
        let mantissa = Double(bits & 0x3FF)
        let magnitude =
            switch exponent {
            case 0: mantissa * 0x1p-24
            case 31: mantissa == 0 ? Double.infinity : Double.nan
            default: (mantissa + 1024) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
            }
        return bits & 0x8000 == 0 ? magnitude : -magnitude
    }
}
