public struct GetRecordsResult: Sendable, Equatable {
    public var records: [StreamRecord]
    public var nextShardIterator: ShardIterator
    /// How far behind the newest record of the shard the reader is, 0 when caught up.
    public var millisBehindLatest: Int64
}

extension KinesisStream {
    /// GetRecords: up to `limit` records (1...10,000, at most 10 MiB) from the iterator on.
    public func getRecords(_ iterator: ShardIterator, limit: Int = CallLimits.maximumGetRecords) throws(StreamError) -> GetRecordsResult {
        try checkShard(iterator.shardId)
        guard (1...CallLimits.maximumGetRecords).contains(limit) else {
            throw .validation("GetRecords Limit is \(limit), must be 1 to \(CallLimits.maximumGetRecords)")
        }
        let now = clock.nowMillis()
        let retention = retentionMillis
        return state.withLock { state in
            if retention < Int64.max / 2 {
                state.shards[iterator.shardId.index].trim(arrivedBefore: now - retention)
            }
            let shard = state.shards[iterator.shardId.index]
            let (records, next) = shard.read(fromCounter: iterator.nextCounter, limit: limit, maxBytes: CallLimits.maximumGetBytes)
            var behind: Int64 = 0
            if let newest = shard.arrivalOfNewest(), let nextArrival = shard.arrival(ofCounter: next) {
                behind = max(0, newest - nextArrival)
            }
            return GetRecordsResult(
                records: records, nextShardIterator: ShardIterator(shardId: iterator.shardId, nextCounter: next),
                millisBehindLatest: behind)
        }
    }
}
