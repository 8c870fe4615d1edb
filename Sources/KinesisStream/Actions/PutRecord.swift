extension KinesisStream {
    /// PutRecord: one record; a throughput refusal throws for the call.
    public func putRecord(_ entry: PutRecordsRequestEntry) throws(StreamError) -> (shardId: ShardID, sequenceNumber: SequenceNumber) {
        let hashKey = try PutRecordsValidation.validateRecord(entry, label: { "record" })
        let shard = shardIndex(forHashKey: hashKey)
        let now = clock.nowMillis()
        let limits = limits
        let streamName = name
        let log = log
        let size = entry.data.count + entry.partitionKey.utf8.count
        let result: Result<(ShardID, SequenceNumber, UInt64?), StreamError> = state.withLock { state in
            if let refusal = state.shards[shard].admit(size: size, nowMillis: now, limits: limits) {
                return .failure(.provisionedThroughputExceeded(
                    Self.rateMessage(refusal, shard: state.shards[shard].id, stream: streamName, limits: limits)))
            }
            let sequenceNumber = state.shards[shard].append(partitionKey: entry.partitionKey, data: entry.data, nowMillis: now, arena: &state.arena)
            guard let log else {
                state.shards[shard].publish(through: sequenceNumber.counter)
                return .success((state.shards[shard].id, sequenceNumber, nil))
            }
            var frames: [UInt8] = []
            LogFrame.appendRecord(
                shard: shard, counter: sequenceNumber.counter, arrivalMillis: now, partitionKey: entry.partitionKey, data: entry.data,
                to: &frames)
            return .success((state.shards[shard].id, sequenceNumber, log.append(frames, newestArrival: now)))
        }
        let (shardId, sequenceNumber, logEnd) = try result.get()
        if let log, let logEnd {
            let response = publishWhenDurable(
                PutRecordsResponse(failedPutCount: 0, records: [.accepted(shardId: shardId, sequenceNumber: sequenceNumber)]),
                log: log, through: logEnd, nowMillis: now)
            if case let .refused(_, message) = response.records[0] { throw .internalFailure(message) }
        }
        return (shardId, sequenceNumber)
    }
}
