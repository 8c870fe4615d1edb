/// Writes bytes through a raw pointer into memory sized in advance. The record
/// writer uses it to build a message in one pass with no bounds checks or growth.
public struct ByteCursor {
    public private(set) var position: UnsafeMutablePointer<UInt8>

    public init(_ start: UnsafeMutablePointer<UInt8>) {
        position = start
    }

    @inline(__always)
    public mutating func byte(_ value: UInt8) {
        position.pointee = value
        position += 1
    }

    @inline(__always)
    public mutating func literal(_ text: StaticString) {
        position.update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        position += text.utf8CodeUnitCount
    }

    @inline(__always)
    public mutating func bytes(_ buffer: UnsafeBufferPointer<UInt8>) {
        guard let base = buffer.baseAddress else { return }
        position.update(from: base, count: buffer.count)
        position += buffer.count
    }

    /// A decimal as JSON text with exactly `scale` fractional digits; at most 21 bytes.
    public mutating func decimal(_ number: DecimalNumber) {
        var magnitude = number.mantissa.magnitude
        if number.mantissa < 0 { byte(UInt8(ascii: "-")) }
        let scale = Int(number.scale)
        let digits = ByteCursor.digitCount(magnitude)
        // Integer part, then fraction, written right to left, two digits at a time where possible.
        let integerDigits = max(digits - scale, 1)
        let length = scale > 0 ? integerDigits + 1 + scale : integerDigits
        var cursor = position + length
        if scale > 0 {
            var fraction = scale
            while fraction >= 2 {
                let pair = Int(magnitude % 100)
                magnitude /= 100
                cursor -= 2
                ByteCursor.writePair(pair, at: cursor)
                fraction -= 2
            }
            if fraction == 1 {
                cursor -= 1
                cursor.pointee = UInt8(truncatingIfNeeded: magnitude % 10) &+ 48
                magnitude /= 10
            }
            cursor -= 1
            cursor.pointee = UInt8(ascii: ".")
        }
        while magnitude >= 100 {
            let pair = Int(magnitude % 100)
            magnitude /= 100
            cursor -= 2
            ByteCursor.writePair(pair, at: cursor)
        }
        if magnitude >= 10 {
            let pair = Int(magnitude)
            cursor -= 2
            ByteCursor.writePair(pair, at: cursor)
        } else if cursor > position {
            cursor -= 1
            cursor.pointee = UInt8(truncatingIfNeeded: magnitude) &+ 48
        }
        position += length
    }

    // Arithmetic rather than lookup tables: a static table costs a lazy-initialisation
    // check on every use, more than the division by a constant it would save.
    @inline(__always)
    private static func writePair(_ pair: Int, at cursor: UnsafeMutablePointer<UInt8>) {
        cursor[0] = UInt8(truncatingIfNeeded: pair / 10) &+ 48
        cursor[1] = UInt8(truncatingIfNeeded: pair % 10) &+ 48
    }

    @inline(__always)
    private static func digitCount(_ value: UInt64) -> Int {
        var digits = 1
        var threshold: UInt64 = 10
        while digits < 20 && value >= threshold {
            digits += 1
            threshold = threshold &* 10
        }
        return digits
    }

    @inline(__always)
    public mutating func integer(_ value: Int64) {
        decimal(DecimalNumber(mantissa: value, scale: 0))
    }

    /// A JSON string with the escapes RFC 8259 requires; at most 6 bytes per input byte plus 2.
    public mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) {
        byte(UInt8(ascii: "\""))
        for value in utf8 {
            if value >= 0x20 && value != UInt8(ascii: "\"") && value != UInt8(ascii: "\\") {
                byte(value)
                continue
            }
            switch value {
            case UInt8(ascii: "\""): literal("\\\"")
            case UInt8(ascii: "\\"): literal("\\\\")
            case 0x0A: literal("\\n")
            case 0x0D: literal("\\r")
            case 0x09: literal("\\t")
            default:
                literal("\\u00")
                byte(ByteCursor.hexDigits[Int(value >> 4)])
                byte(ByteCursor.hexDigits[Int(value & 0x0F)])
            }
        }
        byte(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

extension String {
    /// The text of UTF-8 bytes, nil when they are not valid UTF-8. ASCII (names, keys,
    /// members of the wire formats) is copied without the generic validating initializer,
    /// which costs several times as much on the record path.
    public init?(utf8Bytes raw: UnsafeBufferPointer<UInt8>) {
        if raw.allSatisfy({ $0 < 0x80 }) {
            self.init(unsafeUninitializedCapacity: raw.count) { buffer in
                _ = buffer.initialize(from: raw)
                return raw.count
            }
        } else {
            guard let text = String(validating: raw, as: UTF8.self) else { return nil }
            self = text
        }
    }
}
