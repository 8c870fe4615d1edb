import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// ListShards → `{"Shards": [...], "NextToken"?}`, at most MaxResults shards per page.
    func listShards(_ input: ListShardsInput) throws(KinesisAPIError) -> [UInt8] {
        var first = 0
        if let token = input.nextToken {
            first = try pageStart(token)
        } else {
            try input.stream.check(self)
        }
        if let exclusive = input.exclusiveStartShardId {
            first = max(first, try shardIndex(exclusive, mustExist: false) + 1)
        }
        if input.filterType == "AFTER_SHARD_ID", let after = input.filterShardId {
            first = max(first, try shardIndex(after, mustExist: false) + 1)
        }
        let shards = stream.listShards()
        let page = shards.dropFirst(first).prefix(input.maxResults)
        var writer = JSONWriter(capacity: 256 + page.count * 200)
        writer.beginObject()
        writer.key("Shards")
        writer.beginArray()
        for shard in page { writeShard(shard, &writer) }
        writer.endArray()
        let next = first + page.count
        if next < shards.count {
            writer.key("NextToken")
            writer.string(Base64.encode(Array("\(stream.name)|\(next)".utf8)))
        }
        writer.endObject()
        return writer.bytes
    }

    /// One shard as ListShards and DescribeStream give it.
    func writeShard(_ shard: ShardDescription, _ writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("ShardId")
        writer.string(shard.shardId.description)
        writer.key("HashKeyRange")
        writer.beginObject()
        writer.key("StartingHashKey")
        writer.string(String(shard.hashKeyRange.startingHashKey))
        writer.key("EndingHashKey")
        writer.string(String(shard.hashKeyRange.endingHashKey))
        writer.endObject()
        writer.key("SequenceNumberRange")
        writer.beginObject()
        writer.key("StartingSequenceNumber")
        writer.string(shard.startingSequenceNumber.description)
        writer.endObject()
        writer.endObject()
    }

    /// The shard index a NextToken of this stream continues from.
    private func pageStart(_ token: String) throws(KinesisAPIError) -> Int {
        guard let bytes = Base64.decode(token), let text = String(validating: bytes, as: UTF8.self),
              let bar = text.lastIndex(of: "|"), text[..<bar] == stream.name, let index = Int(text[text.index(after: bar)...]),
              (0...stream.shardCount).contains(index)
        else {
            throw .invalidArgument("NextToken '\(token.prefix(64))' is not one this service gave: send the NextToken of the previous ListShards answer")
        }
        return index
    }
}
