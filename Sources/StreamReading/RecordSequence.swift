/// A record's sequence number as every source writes it: a decimal string of up to
/// 129 digits, opaque but for its order. Two are compared as numbers (Kinesis and the
/// embedded stream write them without leading zeros, but a source might not), so a
/// reader never needs to know how a source makes them. Numbers of up to 38 digits are kept
/// as an integer, so the embedded stream's records carry no string.
public struct RecordSequence: Sendable, Hashable, Comparable, CustomStringConvertible {
    private enum Storage: Sendable, Hashable {
        /// The value, and how many digits it is written with (leading zeros included).
        case number(UInt128, width: UInt8)
        /// More than 38 significant digits, without leading zeros.
        case digits(String)
    }

    private let storage: Storage

    public static let maximumDigits = 129

    /// Nil unless `text` is 1 to 129 decimal digits.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard (1...Self.maximumDigits).contains(utf8.count), utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let significant = utf8.drop { $0 == 0x30 }
        if significant.count <= 38 {
            var value: UInt128 = 0
            for byte in significant { value = value * 10 + UInt128(byte - 0x30) }
            storage = .number(value, width: UInt8(utf8.count))
        } else {
            storage = .digits(String(decoding: significant, as: UTF8.self))
        }
    }

    /// For digits a source made itself (a literal in a test, an answer already checked).
    public init(digits: String) {
        guard let sequence = RecordSequence(digits) else { preconditionFailure("'\(digits)' is not a sequence number") }
        self = sequence
    }

    /// A number written with `width` digits (leading zeros where it is shorter).
    public init(_ value: UInt128, width: Int = 0) {
        storage = .number(value, width: UInt8(clamping: width))
    }

    public var text: String { description }

    public var description: String {
        switch storage {
        case let .digits(text):
            return text
        case let .number(value, width):
            let digits = String(value)
            return digits.count >= Int(width) ? digits : String(repeating: "0", count: Int(width) - digits.count) + digits
        }
    }

    /// The value when it has at most 38 digits.
    public var value: UInt128? {
        if case let .number(value, _) = storage { return value }
        return nil
    }

    public static func < (lhs: RecordSequence, rhs: RecordSequence) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case let (.number(l, _), .number(r, _)): l < r
        case (.number, .digits): true
        case (.digits, .number): false
        case let (.digits(l), .digits(r)): l.utf8.count != r.utf8.count ? l.utf8.count < r.utf8.count : l < r
        }
    }

    public static func == (lhs: RecordSequence, rhs: RecordSequence) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case let (.number(l, _), .number(r, _)): l == r
        case let (.digits(l), .digits(r)): l == r
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch storage {
        case let .number(value, _): hasher.combine(value)
        case let .digits(text): hasher.combine(text)
        }
    }
}
