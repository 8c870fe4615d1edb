import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// The most shards `alleycat serve --shards` makes: DescribeLimits' ShardLimit.
    static let shardLimit = 1024

    /// DescribeStream → `{"StreamDescription": {..., "Shards", "HasMoreShards"}}`, at most
    /// Limit shards after ExclusiveStartShardId (the KCL 1.x pages with it).
    func describeStream(_ input: DescribeStreamInput) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        var first = 0
        if let exclusive = input.exclusiveStartShardId { first = try shardIndex(exclusive, mustExist: false) + 1 }
        let shards = stream.listShards()
        let page = shards.dropFirst(first).prefix(input.limit)
        var writer = JSONWriter(capacity: 512 + page.count * 200)
        writer.beginObject()
        writer.key("StreamDescription")
        writer.beginObject()
        writeStreamIdentity(&writer)
        writer.key("Shards")
        writer.beginArray()
        for shard in page { writeShard(shard, &writer) }
        writer.endArray()
        writer.key("HasMoreShards")
        writer.bool(first + page.count < shards.count)
        writeStreamSettings(&writer)
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }
}
