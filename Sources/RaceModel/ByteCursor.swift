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
        var digits = 1
        while digits < 20 && magnitude >= ByteCursor.powersOfTen[digits] { digits += 1 }
        // Integer part, then fraction, written right to left, two digits at a time where possible.
        let integerDigits = max(digits - scale, 1)
        let length = scale > 0 ? integerDigits + 1 + scale : integerDigits
        var cursor = position + length
        if scale > 0 {
            var fraction = scale
            while fraction >= 2 {
                let pair = Int(magnitude % 100) &* 2
                magnitude /= 100
                cursor -= 2
                cursor[0] = ByteCursor.digitPairs[pair]
                cursor[1] = ByteCursor.digitPairs[pair + 1]
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
            let pair = Int(magnitude % 100) &* 2
            magnitude /= 100
            cursor -= 2
            cursor[0] = ByteCursor.digitPairs[pair]
            cursor[1] = ByteCursor.digitPairs[pair + 1]
        }
        if magnitude >= 10 {
            let pair = Int(magnitude) &* 2
            cursor -= 2
            cursor[0] = ByteCursor.digitPairs[pair]
            cursor[1] = ByteCursor.digitPairs[pair + 1]
        } else if cursor > position {
            cursor -= 1
            cursor.pointee = UInt8(truncatingIfNeeded: magnitude) &+ 48
        }
        position += length
    }

    private static let powersOfTen: [UInt64] = (0..<20).map { exponent in
        var value: UInt64 = 1
        for _ in 0..<exponent { value &*= 10 }
        return value
    }

    /// "00", "01", ... "99" back to back.
    private static let digitPairs: [UInt8] = {
        var pairs: [UInt8] = []
        for value in 0..<100 {
            pairs.append(UInt8(48 + value / 10))
            pairs.append(UInt8(48 + value % 10))
        }
        return pairs
    }()

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
