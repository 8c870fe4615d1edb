import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// ListShards → `{"Shards": [...], "NextToken"?}`, at most MaxResults shards per page,
    /// those the ShardFilter keeps (every shard, open and closed, without one).
    func listShards(_ input: ListShardsInput) throws(KinesisAPIError) -> [UInt8] {
        var first = 0
        var filter = input.filter
        if let token = input.nextToken {
            (first, filter) = try pageStart(token)
        } else {
            try input.stream.check(self)
        }
        if let exclusive = input.exclusiveStartShardId {
            first = max(first, try shardIndex(exclusive, mustExist: false) + 1)
        }
        if case let .afterShardId(after) = filter {
            first = max(first, try shardIndex(after, mustExist: false) + 1)
        }
        let now = stream.clock.nowMillis()
        let kept = stream.listShards().filter { $0.shardId.index >= first && filter.keeps($0, trimHorizonMillis: now - stream.retentionMillis) }
        let page = kept.prefix(input.maxResults)
        var writer = JSONWriter(capacity: 256 + page.count * 300)
        writer.beginObject()
        writer.key("Shards")
        writer.beginArray()
        for shard in page { writeShard(shard, &writer) }
        writer.endArray()
        if page.count < kept.count, let last = page.last {
            writer.key("NextToken")
            let resume = "\(stream.name)|\(last.shardId.index + 1)"
            writer.string(Base64.encode(Array((filter == .all ? resume : resume + "|" + filter.token).utf8)))
        }
        writer.endObject()
        return writer.bytes
    }

    /// One shard as ListShards and DescribeStream give it.
    func writeShard(_ shard: ShardDescription, _ writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("ShardId")
        writer.shardId(shard.shardId)
        if let parent = shard.parentShardId {
            writer.key("ParentShardId")
            writer.shardId(parent)
        }
        if let adjacent = shard.adjacentParentShardId {
            writer.key("AdjacentParentShardId")
            writer.shardId(adjacent)
        }
        writeHashKeyRange(shard.hashKeyRange, &writer)
        writer.key("SequenceNumberRange")
        writer.beginObject()
        writer.key("StartingSequenceNumber")
        writer.sequenceNumber(shard.startingSequenceNumber)
        if let ending = shard.endingSequenceNumber {
            writer.key("EndingSequenceNumber")
            writer.sequenceNumber(ending)
        }
        writer.endObject()
        writer.endObject()
    }

    /// `"HashKeyRange": {"StartingHashKey", "EndingHashKey"}`
    func writeHashKeyRange(_ range: HashKeyRange, _ writer: inout JSONWriter) {
        writer.key("HashKeyRange")
        writer.beginObject()
        writer.key("StartingHashKey")
        writer.string(String(range.startingHashKey))
        writer.key("EndingHashKey")
        writer.string(String(range.endingHashKey))
        writer.endObject()
    }

    /// The shard index a NextToken of this stream continues from, and its filter.
    private func pageStart(_ token: String) throws(KinesisAPIError) -> (Int, ShardFilter) {
        let parts = Base64.decode(token).flatMap { String(validating: $0, as: UTF8.self) }?.split(separator: "|", omittingEmptySubsequences: false) ?? []
        guard (2...3).contains(parts.count), parts[0] == stream.name, let index = Int(parts[1]), (0...stream.shardCount).contains(index),
              let filter = parts.count == 2 ? .all : ShardFilter(token: String(parts[2]))
        else {
            throw .invalidArgument("NextToken '\(token.prefix(64))' is not one this service gave: send the NextToken of the previous ListShards answer")
        }
        return (index, filter)
    }
}
