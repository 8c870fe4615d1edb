import KinesisStream
import KinesisWire

/// The client's side of PutRecords on the wire: the request a producer sends and
/// the answer it reads back (the simulator's `--endpoint` mode).
public enum PutRecordsCall {
    public static let target = KinesisAPI.targetPrefix + KinesisAPI.Action.putRecords.rawValue

    public static func requestBody(streamName: String, entries: [PutRecordsRequestEntry]) -> [UInt8] {
        let bytes = entries.reduce(0) { $0 + $1.data.count + $1.partitionKey.utf8.count }
        var writer = JSONWriter(capacity: 64 + entries.count * 64 + bytes * 4 / 3)
        writer.beginObject()
        writer.key("StreamName")
        writer.string(streamName)
        writer.key("Records")
        writer.beginArray()
        for entry in entries {
            writer.beginObject()
            writer.key("Data")
            entry.data.withUnsafeBytes { writer.base64($0) }
            writer.key("PartitionKey")
            writer.string(entry.partitionKey)
            if let explicit = entry.explicitHashKey {
                writer.key("ExplicitHashKey")
                writer.string(explicit)
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// Reads a 200 answer's body (of this service: its sequence numbers as contract 2 has them).
    public static func response(_ body: [UInt8]) throws(WireError) -> PutRecordsResponse {
        var records: [PutRecordsResultEntry] = []
        let failed = try readAnswer(body, sequence: Self.sequenceNumber) { entry in
            switch entry {
            case let .accepted(shard, sequence): records.append(.accepted(shardId: shard, sequenceNumber: sequence))
            case let .refused(code, message):
                records.append(.refused(errorCode: PutRecordErrorCode(rawValue: code) ?? .internalFailure, errorMessage: message))
            }
        }
        return PutRecordsResponse(failedPutCount: failed, records: records)
    }

    /// The shard of each record of a 200 answer of any Kinesis-compatible service, nil
    /// for a refused one: sequence numbers are only checked to be Kinesis's decimal form
    /// (Amazon Kinesis and moto number records otherwise than this service does).
    public static func acceptedShards(_ body: [UInt8]) throws(WireError) -> [ShardID?] {
        var shards: [ShardID?] = []
        _ = try readAnswer(body, sequence: { isKinesisSequenceNumber($0) ? () : nil }) { entry in
            switch entry {
            case let .accepted(shard, _): shards.append(shard)
            case .refused: shards.append(nil)
            }
        }
        return shards
    }

    private enum Entry<Sequence> {
        case accepted(ShardID, Sequence)
        case refused(code: String, message: String)
    }

    /// Walks an answer, handing each record's entry to `each`; returns FailedRecordCount.
    private static func readAnswer<Sequence>(
        _ body: [UInt8], sequence: (UnsafeBufferPointer<UInt8>) -> Sequence?, each: (Entry<Sequence>) -> Void
    ) throws(WireError) -> Int {
        var failed = 0
        var reader = JSONReader(body)
        do {
            try reader.readObject { reader, member in
                switch member {
                case "FailedRecordCount":
                    failed = Int(try reader.readInteger(field: "FailedRecordCount"))
                case "Records":
                    try reader.readArray { reader, index in
                        each(try entry(&reader, index: index, sequence: sequence))
                    }
                default:
                    try reader.skipValue()
                }
            }
            try reader.finish()
        } catch let error as WireError {
            throw error
        } catch {
            throw WireError("\(error)")
        }
        return failed
    }

    private static func entry<Sequence>(
        _ reader: inout JSONReader, index: Int, sequence parse: (UnsafeBufferPointer<UInt8>) -> Sequence?
    ) throws -> Entry<Sequence> {
        var shardId: ShardID?
        var sequenceNumber: Sequence?
        var errorCode: String?
        var errorMessage = ""
        // Read from the bytes: 500 entries an answer, and the producer only needs numbers.
        try reader.readObject { reader, member in
            switch member {
            case "ShardId": shardId = try reader.withStringBytes(Self.shardId)
            case "SequenceNumber": sequenceNumber = try reader.withStringBytes(parse)
            case "ErrorCode": errorCode = try reader.readString()
            case "ErrorMessage": errorMessage = try reader.readString()
            default: try reader.skipValue()
            }
        }
        if let errorCode { return .refused(code: errorCode, message: errorMessage) }
        guard let shard = shardId, let sequence = sequenceNumber else {
            throw WireError("Records[\(index)] has neither a ShardId and SequenceNumber nor an ErrorCode")
        }
        return .accepted(shard, sequence)
    }

    /// Kinesis's pattern for a sequence number: `0|([1-9]\d{0,128})`.
    static func isKinesisSequenceNumber(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard (1...129).contains(text.count), text.count == 1 || text[0] != UInt8(ascii: "0") else { return false }
        return text.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// `shardId-` and 12 digits.
    static func shardId(_ text: UnsafeBufferPointer<UInt8>) -> ShardID? {
        let prefix = Array("shardId-".utf8)
        guard text.count == prefix.count + 12, text.prefix(prefix.count).elementsEqual(prefix),
              let index = digits(UnsafeBufferPointer(rebasing: text[prefix.count...]))
        else { return nil }
        return ShardID(index: Int(index))
    }

    /// 25 digits: a 1, 6 of shard, 18 of counter (contract 2).
    static func sequenceNumber(_ text: UnsafeBufferPointer<UInt8>) -> SequenceNumber? {
        guard text.count == SequenceNumber.digits, text[0] == UInt8(ascii: "1"),
              let shard = digits(UnsafeBufferPointer(rebasing: text[1..<7])),
              let counter = digits(UnsafeBufferPointer(rebasing: text[7...]))
        else { return nil }
        return SequenceNumber(shardIndex: Int(shard), counter: counter)
    }

    private static func digits(_ text: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in text {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The `__type` and message of a refusal's body (a body that is not one gives its first bytes).
    public static func refusal(_ body: [UInt8]) -> (type: String, message: String) {
        var type = ""
        var message = ""
        var reader = JSONReader(body)
        let parsed: Void? = try? reader.readObject { reader, member in
            switch member {
            case "__type": type = try reader.readString()
            case "message", "Message": message = try reader.readString()
            default: try reader.skipValue()
            }
        }
        if parsed == nil || type.isEmpty {
            return ("", String(decoding: body.prefix(200), as: UTF8.self))
        }
        // Some services send "namespace#Type".
        if let hash = type.lastIndex(of: "#") { type = String(type[type.index(after: hash)...]) }
        return (type, message)
    }
}
