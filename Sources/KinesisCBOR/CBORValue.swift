/// One CBOR data item (RFC 8949) as a tree: every major type, with the limits of
/// `CBORReader` when decoded. Map keys may be any item here; a Kinesis request's must be
/// text (`KinesisCBOR.requestJSON` refuses others). The request path does not build trees:
/// this is for tests, the fuzz check and whoever needs a whole item.
public indirect enum CBORValue: Sendable, Equatable {
    case unsigned(UInt64)
    /// The integer `-1 - n` (major type 1 carries n, so -2^64 fits).
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBORValue])
    case map([Entry])
    case tagged(UInt64, CBORValue)
    case bool(Bool)
    case null
    case undefined
    /// A simple value other than false, true, null and undefined (0 to 19, 32 to 255).
    case simple(UInt8)
    /// A half, single or double precision float, widened to `Double`.
    case float(Double)

    /// A map's key and value, in the order they came.
    public struct Entry: Sendable, Equatable {
        public var key: CBORValue
        public var value: CBORValue

        public init(_ key: CBORValue, _ value: CBORValue) {
            self.key = key
            self.value = value
        }
    }

    /// Decodes one data item that fills `cbor`, definite or indefinite lengths alike.
    public init(decoding cbor: [UInt8]) throws(CBORError) {
        var reader = CBORReader(cbor)
        self = try reader.value(in: nil)
        try reader.finish()
    }

    /// The item written by `CBORWriter`: definite lengths, shortest heads, whole floats as integers.
    public var encoded: [UInt8] {
        var writer = CBORWriter()
        write(into: &writer)
        return writer.bytes
    }

    private func write(into writer: inout CBORWriter) {
        switch self {
        case let .unsigned(value): writer.unsigned(value)
        case let .negative(n): writer.negative(n)
        case let .bytes(data): writer.byteString(data)
        case let .text(text): writer.text(text)
        case let .array(items):
            writer.arrayHead(count: items.count)
            for item in items { item.write(into: &writer) }
        case let .map(entries):
            writer.mapHead(count: entries.count)
            for entry in entries {
                entry.key.write(into: &writer)
                entry.value.write(into: &writer)
            }
        case let .tagged(tag, content):
            writer.tag(tag)
            content.write(into: &writer)
        case let .bool(value): writer.bool(value)
        case .null: writer.null()
        case .undefined: writer.undefined()
        case let .simple(value): writer.simple(value)
        case let .float(value): writer.double(value)
        }
    }
}

extension CBORReader {
    /// Reads one item, whole; `container` as for `head(in:)`.
    mutating func value(in container: CBORHead?) throws(CBORError) -> CBORValue {
        let head = try self.head(in: container)
        switch head.major {
        case 0:
            return .unsigned(head.argument)
        case 1:
            return .negative(head.argument)
        case 2:
            switch try stringBytes(head) {
            case let .range(range): return .bytes(Array(bytes[range]))
            case let .joined(joined): return .bytes(joined)
            }
        case 3:
            return .text(try text(head))
        case 4:
            try enter(head)
            var items: [CBORValue] = []
            try forEach(in: head) { reader throws(CBORError) in items.append(try reader.value(in: head)) }
            leave()
            return .array(items)
        case 5:
            try enter(head)
            var entries: [CBORValue.Entry] = []
            try forEach(in: head) { reader throws(CBORError) in
                let key = try reader.value(in: head)
                entries.append(CBORValue.Entry(key, try reader.value(in: head)))
            }
            leave()
            return .map(entries)
        case 6:
            try enter(head)
            let content = try value(in: head)
            leave()
            return .tagged(head.argument, content)
        default:
            switch head.info {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            case 23: return .undefined
            case 24: return .simple(UInt8(head.argument))
            case 25, 26, 27: return .float(Self.float(head))
            default: return .simple(head.info)
            }
        }
    }
}
