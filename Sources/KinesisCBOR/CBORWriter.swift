/// Writes CBOR (RFC 8949) on bytes: definite lengths only, every head in its shortest form,
/// and numbers as integers when they are whole (a float only for a fraction or beyond the
/// 64-bit integers, and then always in 8 bytes). The answers to CBOR requests are written
/// with it.
public struct CBORWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func unsigned(_ value: UInt64) {
        head(0, value)
    }

    /// The integer `-1 - n`.
    public mutating func negative(_ n: UInt64) {
        head(1, n)
    }

    public mutating func integer(_ value: Int64) {
        // -1 - value is the bitwise complement of a negative value.
        if value >= 0 { head(0, UInt64(value)) } else { head(1, ~UInt64(bitPattern: value)) }
    }

    public mutating func byteString(_ data: [UInt8]) {
        head(2, UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    public mutating func text(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            head(3, UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// The head of an array of `count` items; the items follow.
    public mutating func arrayHead(count: Int) {
        head(4, UInt64(count))
    }

    /// The head of a map of `count` pairs; each key and its value follow.
    public mutating func mapHead(count: Int) {
        head(5, UInt64(count))
    }

    /// A tag; the item it tags follows.
    public mutating func tag(_ number: UInt64) {
        head(6, number)
    }

    public mutating func bool(_ value: Bool) {
        bytes.append(value ? 0xF5 : 0xF4)
    }

    public mutating func null() {
        bytes.append(0xF6)
    }

    public mutating func undefined() {
        bytes.append(0xF7)
    }

    /// Simple value 0 to 23 in one byte, 32 to 255 in two; 24 to 31 have no well-formed encoding.
    public mutating func simple(_ value: UInt8) {
        precondition(value < 24 || value >= 32, "simple values 24 to 31 are not well-formed CBOR")
        if value < 24 { bytes.append(0xE0 | value) } else { bytes.append(contentsOf: [0xF8, value]) }
    }

    /// A whole number in the 64-bit integers as an integer; any other value as a
    /// double-precision float (8 bytes).
    public mutating func double(_ value: Double) {
        if let whole = Int64(exactly: value) {
            integer(whole)
        } else if let whole = UInt64(exactly: value) {
            unsigned(whole)
        } else {
            bytes.append(0xFB)
            append(value.bitPattern, size: 8)
        }
    }

    /// An array or map begun before its count is known (a transcoded JSON array or object):
    /// one byte is held for its head, which `end` writes, widened if the count needs more.
    public struct Pending: Sendable {
        fileprivate let position: Int
        fileprivate let major: UInt8
    }

    public mutating func beginArray() -> Pending {
        begin(major: 4)
    }

    public mutating func beginMap() -> Pending {
        begin(major: 5)
    }

    /// Writes the head of `pending` for `count` items (pairs, for a map) written since.
    public mutating func end(_ pending: Pending, count: Int) {
        if count < 24 {
            bytes[pending.position] = pending.major << 5 | UInt8(count)
            return
        }
        var head = CBORWriter(capacity: 9)
        head.head(pending.major, UInt64(count))
        bytes.replaceSubrange(pending.position...pending.position, with: head.bytes)
    }

    private mutating func begin(major: UInt8) -> Pending {
        bytes.append(0)
        return Pending(position: bytes.count - 1, major: major)
    }

    private mutating func head(_ major: UInt8, _ argument: UInt64) {
        let type = major << 5
        switch argument {
        case 0..<24:
            bytes.append(type | UInt8(argument))
        case 24...0xFF:
            bytes.append(type | 24)
            append(argument, size: 1)
        case 0x100...0xFFFF:
            bytes.append(type | 25)
            append(argument, size: 2)
        case 0x1_0000...0xFFFF_FFFF:
            bytes.append(type | 26)
            append(argument, size: 4)
        default:
            bytes.append(type | 27)
            append(argument, size: 8)
        }
    }

    /// `value`'s low `size` bytes, big-endian.
    private mutating func append(_ value: UInt64, size: Int) {
        for shift in stride(from: (size - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
