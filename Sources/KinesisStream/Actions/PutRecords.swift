extension KinesisStream {
    /// PutRecords: up to 500 records; each is accepted (shard id and sequence number)
    /// or refused for throughput, in request order. A badly shaped call throws whole.
    public func putRecords(_ entries: [PutRecordsRequestEntry]) throws(StreamError) -> PutRecordsResponse {
        let hashKeys = try PutRecordsValidation.validate(entries, streamName: name)
        let shardIndexes = hashKeys.map { shardIndex(forHashKey: $0) }
        let now = clock.nowMillis()
        let limits = limits
        let streamName = name
        return state.withLock { state in
            var failed = 0
            var results: [PutRecordsResultEntry] = []
            results.reserveCapacity(entries.count)
            for (entry, shard) in zip(entries, shardIndexes) {
                let size = entry.data.count + entry.partitionKey.utf8.count
                if let refusal = state.shards[shard].admit(size: size, nowMillis: now, limits: limits) {
                    failed += 1
                    results.append(.refused(
                        errorCode: .provisionedThroughputExceeded,
                        errorMessage: Self.rateMessage(refusal, shard: state.shards[shard].id, stream: streamName, limits: limits)))
                } else {
                    let sequenceNumber = state.shards[shard].append(partitionKey: entry.partitionKey, data: entry.data, nowMillis: now, arena: &state.arena)
                    results.append(.accepted(shardId: state.shards[shard].id, sequenceNumber: sequenceNumber))
                }
            }
            if retentionMillis < Int64.max / 2 {
                state.shards.indices.forEach { state.shards[$0].trim(arrivedBefore: now - retentionMillis) }
            }
            return PutRecordsResponse(failedPutCount: failed, records: results)
        }
    }

    static func rateMessage(_ refusal: Shard.RateRefusal, shard: ShardID, stream: String, limits: ShardLimits) -> String {
        switch refusal {
        case .records:
            "Rate exceeded for shard \(shard) in stream \(stream): more than \(limits.recordsPerSecond) records in one second; retry with backoff"
        case .bytes:
            "Rate exceeded for shard \(shard) in stream \(stream): more than \(limits.bytesPerSecond) bytes in one second; retry with backoff"
        }
    }
}
