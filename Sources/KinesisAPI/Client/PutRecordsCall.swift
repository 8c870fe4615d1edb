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
            writer.base64(entry.data)
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

    /// Reads a 200 answer's body.
    public static func response(_ body: [UInt8]) throws(WireError) -> PutRecordsResponse {
        var failed = 0
        var records: [PutRecordsResultEntry] = []
        var reader = JSONReader(body)
        do {
            try reader.readObject { reader, member in
                switch member {
                case "FailedRecordCount":
                    failed = Int(try reader.readInteger(field: "FailedRecordCount"))
                case "Records":
                    try reader.readArray { reader, index in
                        records.append(try entry(&reader, index: index))
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
        return PutRecordsResponse(failedPutCount: failed, records: records)
    }

    private static func entry(_ reader: inout JSONReader, index: Int) throws -> PutRecordsResultEntry {
        var shardId: String?
        var sequenceNumber: String?
        var errorCode: String?
        var errorMessage = ""
        try reader.readObject { reader, member in
            switch member {
            case "ShardId": shardId = try reader.readString()
            case "SequenceNumber": sequenceNumber = try reader.readString()
            case "ErrorCode": errorCode = try reader.readString()
            case "ErrorMessage": errorMessage = try reader.readString()
            default: try reader.skipValue()
            }
        }
        if let errorCode {
            return .refused(errorCode: PutRecordErrorCode(rawValue: errorCode) ?? .internalFailure, errorMessage: errorMessage)
        }
        guard let shard = shardId.flatMap(ShardID.init), let sequence = sequenceNumber.flatMap(SequenceNumber.init) else {
            throw WireError("Records[\(index)] has neither a ShardId and SequenceNumber nor an ErrorCode")
        }
        return .accepted(shardId: shard, sequenceNumber: sequence)
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
