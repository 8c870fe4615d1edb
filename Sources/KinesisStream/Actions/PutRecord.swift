extension KinesisStream {
    /// PutRecord: one record; a throughput refusal throws for the call.
    public func putRecord(_ entry: PutRecordsRequestEntry) throws(StreamError) -> (shardId: ShardID, sequenceNumber: SequenceNumber) {
        let hashKey = try PutRecordsValidation.validateRecord(entry, label: { "record" })
        let shard = shardIndex(forHashKey: hashKey)
        let now = clock.nowMillis()
        let limits = limits
        let streamName = name
        let size = entry.data.count + entry.partitionKey.utf8.count
        let result: Result<(ShardID, SequenceNumber), StreamError> = state.withLock { state in
            if let refusal = state.shards[shard].admit(size: size, nowMillis: now, limits: limits) {
                return .failure(.provisionedThroughputExceeded(
                    Self.rateMessage(refusal, shard: state.shards[shard].id, stream: streamName, limits: limits)))
            }
            let sequenceNumber = state.shards[shard].append(partitionKey: entry.partitionKey, data: entry.data, nowMillis: now, arena: &state.arena)
            return .success((state.shards[shard].id, sequenceNumber))
        }
        let (shardId, sequenceNumber) = try result.get()
        return (shardId, sequenceNumber)
    }
}
