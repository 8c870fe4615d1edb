import AWSClient
import KinesisWire
import StreamReading

/// GetShardIterator on the wire, one request shape per start position.
public enum GetShardIteratorCall {
    public static let action = "GetShardIterator"

    public static func requestBody(streamName: String, shardId: String, start: StartPosition) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("StreamName")
        writer.string(streamName)
        writer.key("ShardId")
        writer.string(shardId)
        writer.key("ShardIteratorType")
        switch start {
        case .trimHorizon:
            writer.string("TRIM_HORIZON")
        case .latest:
            writer.string("LATEST")
        case let .atSequenceNumber(sequence):
            writer.string("AT_SEQUENCE_NUMBER")
            writer.key("StartingSequenceNumber")
            writer.string(sequence.text)
        case let .afterSequenceNumber(sequence):
            writer.string("AFTER_SEQUENCE_NUMBER")
            writer.key("StartingSequenceNumber")
            writer.string(sequence.text)
        case let .atTimestamp(millis):
            writer.string("AT_TIMESTAMP")
            writer.key("Timestamp")
            writer.epochSeconds(millis: millis)
        }
        writer.endObject()
        return writer.bytes
    }

    /// The iterator of a 200 answer. A null one (a closed shard with nothing after the
    /// position) becomes the empty token, which `read` answers as the shard's end.
    public static func response(_ body: [UInt8], shardId: String) throws(WireError) -> SourceIterator {
        var token: String?
        var named = false
        try readAnswer(body) { reader, member in
            guard member == "ShardIterator" else { return try reader.skipValue() }
            named = true
            token = try reader.optionalString()
        }
        guard named else { throw WireError("the answer has no ShardIterator") }
        return SourceIterator(shardId: shardId, token: token ?? "")
    }
}

extension KinesisClient {
    public func iterator(shardId: String, start: StartPosition) throws(SourceError) -> SourceIterator {
        try answer(GetShardIteratorCall.action, GetShardIteratorCall.requestBody(streamName: streamName, shardId: shardId, start: start)) {
            body throws(WireError) in try GetShardIteratorCall.response(body, shardId: shardId)
        }
    }
}
