import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// The most shards `alleycat serve --shards` makes: DescribeLimits' ShardLimit.
    static let shardLimit = 1024

    /// ListStreams → `{"StreamNames", "HasMoreStreams", "StreamSummaries"}`: this service's one stream,
    /// unless ExclusiveStartStreamName is at or after its name.
    func listStreams(_ input: ListStreamsInput) throws(KinesisAPIError) -> [UInt8] {
        if let token = input.nextToken {
            throw .invalidArgument("NextToken '\(token.prefix(64))' is not one this service gave: it has one stream, listed in full without one")
        }
        let listed = input.exclusiveStartStreamName.map { stream.name > $0 } ?? true
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("StreamNames")
        writer.beginArray()
        if listed { writer.string(stream.name) }
        writer.endArray()
        writer.key("HasMoreStreams")
        writer.bool(false)
        writer.key("StreamSummaries")
        writer.beginArray()
        if listed {
            writer.beginObject()
            writeStreamIdentity(&writer)
            writer.key("StreamCreationTimestamp")
            writer.epochSeconds(millis: createdMillis)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

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

    /// DescribeLimits → `{"ShardLimit", "OpenShardCount", "OnDemandStreamCount", "OnDemandStreamCountLimit"}`:
    /// no on-demand streams here.
    func describeLimits(_ json: [UInt8]) throws(KinesisAPIError) -> [UInt8] {
        try readRequest(json) { reader, _ in try reader.skipValue() }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("ShardLimit")
        writer.integer(Self.shardLimit)
        writer.key("OpenShardCount")
        writer.integer(stream.openShardCount)
        writer.key("OnDemandStreamCount")
        writer.integer(0)
        writer.key("OnDemandStreamCountLimit")
        writer.integer(0)
        writer.endObject()
        return writer.bytes
    }
}
