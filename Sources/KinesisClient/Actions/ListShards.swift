import AWSClient
import KinesisWire
import StreamReading

/// ListShards on the wire: the first page names the stream, later pages send only the
/// NextToken (Kinesis refuses both together).
public enum ListShardsCall {
    public static let action = "ListShards"

    public struct Page: Sendable, Equatable {
        public var shards: [SourceShard]
        public var nextToken: String?

        public init(shards: [SourceShard], nextToken: String?) {
            self.shards = shards
            self.nextToken = nextToken
        }
    }

    public static func requestBody(streamName: String, nextToken: String?) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        if let nextToken {
            writer.key("NextToken")
            writer.string(nextToken)
        } else {
            writer.key("StreamName")
            writer.string(streamName)
        }
        writer.endObject()
        return writer.bytes
    }

    /// Reads a 200 answer's body: each shard's id, lineage and sequence number range.
    public static func response(_ body: [UInt8]) throws(WireError) -> Page {
        var shards: [SourceShard] = []
        var nextToken: String?
        try readAnswer(body) { reader, member in
            switch member {
            case "Shards":
                if reader.readNull() { return }
                try reader.readArray { reader, index in shards.append(try shard(&reader, index)) }
            case "NextToken":
                nextToken = try reader.optionalString()
            default:
                try reader.skipValue()
            }
        }
        return Page(shards: shards, nextToken: nextToken?.isEmpty == true ? nil : nextToken)
    }

    private static func shard(_ reader: inout JSONReader, _ index: Int) throws -> SourceShard {
        var shardId: String?
        var parent: String?
        var adjacentParent: String?
        var starting: RecordSequence?
        var ending: RecordSequence?
        try reader.readObject { reader, member in
            switch member {
            case "ShardId": shardId = try reader.requiredString("Shards[\(index)].ShardId")
            case "ParentShardId": parent = try reader.optionalString()
            case "AdjacentParentShardId": adjacentParent = try reader.optionalString()
            case "SequenceNumberRange":
                try reader.readObject { reader, member in
                    switch member {
                    case "StartingSequenceNumber":
                        starting = try sequence(reader.requiredString("Shards[\(index)].SequenceNumberRange.StartingSequenceNumber"), "Shards[\(index)].SequenceNumberRange.StartingSequenceNumber")
                    case "EndingSequenceNumber":
                        ending = try reader.optionalString().map { text throws(WireError) in
                            try sequence(text, "Shards[\(index)].SequenceNumberRange.EndingSequenceNumber")
                        }
                    default: try reader.skipValue()
                    }
                }
            default: try reader.skipValue()
            }
        }
        guard let shardId else { throw WireError("Shards[\(index)] has no ShardId") }
        guard let starting else { throw WireError("Shards[\(index)] (\(shardId)) has no SequenceNumberRange.StartingSequenceNumber") }
        return SourceShard(shardId: shardId, parentShardId: parent, adjacentParentShardId: adjacentParent, startingSequenceNumber: starting, endingSequenceNumber: ending)
    }

    static func sequence(_ text: String, _ field: @autoclosure () -> String) throws(WireError) -> RecordSequence {
        guard let sequence = RecordSequence(text) else {
            throw WireError("\(field()) is '\(text.prefix(140))', not a sequence number of 1 to \(RecordSequence.maximumDigits) digits")
        }
        return sequence
    }
}

extension KinesisClient {
    /// Every shard of the stream, open and closed, paging through ListShards.
    public func listShards() throws(SourceError) -> [SourceShard] {
        var shards: [SourceShard] = []
        var token: String?
        var seen: Set<String> = []
        repeat {
            let page = try answer(ListShardsCall.action, ListShardsCall.requestBody(streamName: streamName, nextToken: token), ListShardsCall.response)
            shards += page.shards
            token = page.nextToken
            if let token, !seen.insert(token).inserted {
                throw .failure("ListShards at \(endpoint) gave the NextToken '\(token.prefix(64))' twice: the service is paging in a loop")
            }
        } while token != nil
        return shards
    }
}
