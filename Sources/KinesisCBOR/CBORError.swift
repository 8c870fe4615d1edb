/// Why bytes are not one well-formed CBOR data item (RFC 8949), or not one that the Kinesis
/// JSON API can be given. Every case but `empty` names the byte offset it was found at;
/// `description` is the message a client is answered with (as a SerializationException).
/// `item` payloads are what RFC 8949 calls the item, with its article ("a text string",
/// "an indefinite-length array").
public enum CBORError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No bytes at all.
    case empty
    /// The head at `at` announces an argument of `needs` bytes; fewer are left.
    case argumentCut(item: String, at: Int, needs: Int, left: Int)
    /// A byte or text string declares more bytes than the body has left.
    case stringBeyondEnd(item: String, at: Int, declared: UInt64, left: Int)
    /// An array or map declares more items (or pairs) than the bytes left could hold.
    case countBeyondEnd(item: String, at: Int, declared: UInt64, left: Int)
    /// The body ends before the last item of the container that starts at `at`.
    case endInside(item: String, at: Int, end: Int)
    /// Additional information 28 to 30, which RFC 8949 reserves.
    case reservedInfo(at: Int, initial: UInt8)
    /// An indefinite length on an item that cannot have one (integers, tags).
    case indefiniteLength(item: String, at: Int, initial: UInt8)
    /// A break byte (0xFF) where no indefinite-length item is open.
    case unexpectedBreak(at: Int)
    /// A chunk of an indefinite-length string that is not a definite string of its type.
    case badChunk(item: String, at: Int, chunkAt: Int, initial: UInt8)
    /// An array, map or tag more than `CBORReader.maximumDepth` levels deep.
    case tooDeep(item: String, at: Int)
    case invalidUTF8(item: String, at: Int)
    /// Bytes after the end of the top-level item.
    case trailingBytes(at: Int, count: Int)
    /// A simple value below 32 in the two-byte form, which RFC 8949 §3.3 rules out.
    case simpleInTwoBytes(at: Int, value: UInt8)

    // What is well-formed CBOR but has no place in a Kinesis request.

    /// A map key that is not a text string.
    case keyNotText(item: String, at: Int)
    /// NaN or an infinity, which JSON has no number for.
    case notFinite(item: String, at: Int, value: Double)
    /// A simple value other than false, true, null and undefined.
    case simpleValue(at: Int, value: UInt8)
    /// Tag 1 (epoch timestamp) on something other than an integer of milliseconds.
    case timestampNotInteger(at: Int, found: String)
    /// Tag 1 on an integer outside the Int64 milliseconds a timestamp is kept in.
    case timestampOutOfRange(at: Int, millis: String)

    /// The byte offset the error was found at (0 for `empty`).
    public var offset: Int {
        switch self {
        case .empty: 0
        case let .argumentCut(_, at, _, _), let .stringBeyondEnd(_, at, _, _), let .countBeyondEnd(_, at, _, _),
             let .endInside(_, at, _), let .reservedInfo(at, _), let .indefiniteLength(_, at, _), let .unexpectedBreak(at),
             let .badChunk(_, at, _, _), let .tooDeep(_, at), let .invalidUTF8(_, at), let .trailingBytes(at, _),
             let .simpleInTwoBytes(at, _), let .keyNotText(_, at), let .notFinite(_, at, _), let .simpleValue(at, _),
             let .timestampNotInteger(at, _), let .timestampOutOfRange(at, _):
            at
        }
    }

    public var description: String {
        switch self {
        case .empty:
            "CBOR: the body is empty: send one CBOR data item"
        case let .argumentCut(item, at, needs, left):
            "CBOR: \(item) at byte \(at) needs \(count(UInt64(needs), "argument byte")) but \(left) \(left == 1 ? "is" : "are") left"
        case let .stringBeyondEnd(item, at, declared, left):
            "CBOR: \(item) at byte \(at) declares \(count(declared, "byte")) but \(left) \(left == 1 ? "is" : "are") left"
        case let .countBeyondEnd(item, at, declared, left):
            "CBOR: \(item) at byte \(at) declares \(count(declared, item.hasSuffix("map") ? "pair" : "item")) but \(count(UInt64(left), "byte")) \(left == 1 ? "is" : "are") left"
        case let .endInside(item, at, end):
            "CBOR: the body ends at byte \(end) inside \(item) at byte \(at)"
        case let .reservedInfo(at, initial):
            "CBOR: the initial byte \(hex(initial)) at byte \(at) has additional information \(initial & 0x1F), which RFC 8949 reserves"
        case let .indefiniteLength(item, at, initial):
            "CBOR: \(item) at byte \(at) cannot have an indefinite length (initial byte \(hex(initial)))"
        case let .unexpectedBreak(at):
            "CBOR: a break (0xFF) at byte \(at) is outside any indefinite-length item"
        case let .badChunk(item, at, chunkAt, initial):
            "CBOR: \(item) at byte \(at) has a chunk at byte \(chunkAt) that is not a definite-length string of its type (initial byte \(hex(initial)))"
        case let .tooDeep(item, at):
            "CBOR: \(item) at byte \(at) nests deeper than \(CBORReader.maximumDepth) levels"
        case let .invalidUTF8(item, at):
            "CBOR: \(item) at byte \(at) is not valid UTF-8"
        case let .trailingBytes(at, count):
            "CBOR: \(self.count(UInt64(count), "byte")) after the end of the item (from byte \(at)): send one CBOR data item"
        case let .simpleInTwoBytes(at, value):
            "CBOR: the simple value \(value) at byte \(at) is written in two bytes, which RFC 8949 allows only from 32"
        case let .keyNotText(item, at):
            "CBOR: a map key at byte \(at) is \(item): the Kinesis API's maps have text keys"
        case let .notFinite(item, at, value):
            "CBOR: \(item) at byte \(at) is \(value.isNaN ? "NaN" : value < 0 ? "-infinity" : "infinity"), which JSON has no number for"
        case let .simpleValue(at, value):
            "CBOR: the simple value \(value) at byte \(at) has no JSON form: send false, true or null"
        case let .timestampNotInteger(at, found):
            "CBOR: tag 1 (epoch timestamp) at byte \(at) holds \(found): send an integer of epoch milliseconds, as the AWS SDKs do"
        case let .timestampOutOfRange(at, millis):
            "CBOR: tag 1 (epoch timestamp) at byte \(at) holds \(millis) milliseconds, outside the Int64 range"
        }
    }

    private func count(_ value: UInt64, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count == 1 ? "0" + digits : digits)
    }
}
