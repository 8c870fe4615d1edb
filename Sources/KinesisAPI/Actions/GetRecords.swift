import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// GetRecords → `{"Records": [...], "NextShardIterator", "MillisBehindLatest"}`, each
    /// record with SequenceNumber, ApproximateArrivalTimestamp, Data (base64), PartitionKey;
    /// at the end of a closed shard `ChildShards` instead of a NextShardIterator.
    func getRecords(_ input: GetRecordsInput) throws(KinesisAPIError) -> [UInt8] {
        if let arn = input.streamARN {
            try StreamTarget(arn: arn).check(self)
        }
        let (iterator, issued) = try iterators.decode(input.shardIterator)
        let now = stream.clock.nowMillis()
        if now - issued > ShardIteratorCodec.lifetimeMillis {
            throw .expiredIterator("Iterator expired. The iterator was created at time \(issued) while right now it is \(now) which is further in the future than the tolerated delay of \(ShardIteratorCodec.lifetimeMillis) milliseconds: get a new one with GetShardIterator")
        }
        let result: GetRecordsResult
        do {
            result = try stream.getRecords(iterator, limit: input.limit)
        } catch {
            throw KinesisAPIError(error)
        }
        let bytes = result.records.reduce(0) { $0 + $1.data.count }
        var writer = JSONWriter(capacity: 256 + result.records.count * 120 + bytes * 4 / 3)
        writer.beginObject()
        writeRecords(result.records, &writer)
        // At the end of a closed shard: no NextShardIterator, and the shards made from it.
        if let next = result.nextShardIterator {
            writer.key("NextShardIterator")
            writer.string(iterators.encode(next, issuedMillis: now))
        }
        writer.key("MillisBehindLatest")
        writer.integer(result.millisBehindLatest)
        if result.nextShardIterator == nil { writeChildShards(result.childShards, &writer) }
        writer.endObject()
        return writer.bytes
    }

    /// `"Records": [...]`, each with SequenceNumber, ApproximateArrivalTimestamp, Data (base64), PartitionKey.
    func writeRecords(_ records: [ShardRecord], _ writer: inout JSONWriter) {
        writer.key("Records")
        writer.beginArray()
        for record in records {
            writer.beginObject()
            writer.key("SequenceNumber")
            writer.sequenceNumber(record.sequenceNumber)
            writer.key("ApproximateArrivalTimestamp")
            writer.epochSeconds(millis: record.approximateArrivalMillis)
            writer.key("Data")
            record.data.withUnsafeBytes { writer.base64($0) }
            writer.key("PartitionKey")
            writer.string(record.partitionKey)
            writer.endObject()
        }
        writer.endArray()
    }

    /// `"ChildShards": [{"ShardId", "ParentShards", "HashKeyRange"}]`
    func writeChildShards(_ children: [ChildShard], _ writer: inout JSONWriter) {
        writer.key("ChildShards")
        writer.beginArray()
        for child in children {
            writer.beginObject()
            writer.key("ShardId")
            writer.shardId(child.shardId)
            writer.key("ParentShards")
            writer.beginArray()
            for parent in child.parentShards { writer.shardId(parent) }
            writer.endArray()
            writeHashKeyRange(child.hashKeyRange, &writer)
            writer.endObject()
        }
        writer.endArray()
    }
}
