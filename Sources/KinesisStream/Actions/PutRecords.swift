extension KinesisStream {
    /// PutRecords: up to 500 records; each is accepted (shard id and sequence number)
    /// or refused for throughput, in request order. A badly shaped call throws whole.
    /// On a durable stream the answer comes once the accepted records are synced to
    /// the log, and readers see them from then on.
    public func putRecords(_ entries: [PutRecordsRequestEntry]) throws(StreamError) -> PutRecordsResponse {
        store(entries, hashKeys: try PutRecordsValidation.validate(entries, streamName: name))
    }

    /// Admits, appends and (durable) logs validated records; PutRecord and PutRecords share it.
    func store(_ entries: [PutRecordsRequestEntry], hashKeys: [UInt128]) -> PutRecordsResponse {
        let shardIndexes = hashKeys.map { shardIndex(forHashKey: $0) }
        let now = clock.nowMillis()
        let limits = limits
        let streamName = name
        let log = log
        let (response, logEnd) = state.withLock { state -> (PutRecordsResponse, UInt64?) in
            var failed = 0
            var results: [PutRecordsResultEntry] = []
            results.reserveCapacity(entries.count)
            var frames: [UInt8] = []
            if log != nil { frames.reserveCapacity(entries.reduce(0) { $0 + $1.data.count + 64 }) }
            for (entry, shard) in zip(entries, shardIndexes) {
                let size = entry.data.count + entry.partitionKey.utf8.count
                if let refusal = state.shards[shard].admit(size: size, nowMillis: now, limits: limits) {
                    failed += 1
                    results.append(.refused(
                        errorCode: .provisionedThroughputExceeded,
                        errorMessage: Self.rateMessage(refusal, shard: state.shards[shard].id, stream: streamName, limits: limits)))
                } else {
                    let sequenceNumber = state.shards[shard].append(partitionKey: entry.partitionKey, data: entry.data, nowMillis: now, arena: &state.arena)
                    if log == nil {
                        state.shards[shard].publish(through: sequenceNumber.counter)
                    } else {
                        LogFrame.appendRecord(
                            shard: shard, counter: sequenceNumber.counter, arrivalMillis: now, partitionKey: entry.partitionKey,
                            data: entry.data, to: &frames)
                    }
                    results.append(.accepted(shardId: state.shards[shard].id, sequenceNumber: sequenceNumber))
                }
            }
            if retentionMillis < Int64.max / 2 {
                state.shards.indices.forEach { state.shards[$0].trim(arrivedBefore: now - retentionMillis) }
            }
            // Frames join the log in the order their sequence numbers were given.
            let end = frames.isEmpty ? nil : log?.append(frames, newestArrival: now)
            return (PutRecordsResponse(failedPutCount: failed, records: results), end)
        }
        guard let log, let logEnd else { return response }
        return publishWhenDurable(response, log: log, through: logEnd, nowMillis: now)
    }

    /// Waits for the log to sync the accepted records, then lets readers see them. If
    /// the log cannot be written they are answered as InternalFailure and stay unseen.
    func publishWhenDurable(_ response: PutRecordsResponse, log: SegmentLog, through offset: UInt64, nowMillis: Int64) -> PutRecordsResponse {
        do {
            try log.waitDurable(through: offset, nowMillis: nowMillis, positions: checkpointFrames)
        } catch {
            var failed = response
            for index in failed.records.indices where failed.records[index].isAccepted {
                failed.records[index] = .refused(
                    errorCode: .internalFailure, errorMessage: "the stream could not store this record (\(error.message)); retry later")
                failed.failedPutCount += 1
            }
            return failed
        }
        var newest: [Int: UInt64] = [:]
        for case let .accepted(shardId, sequenceNumber) in response.records {
            newest[shardId.index] = max(newest[shardId.index] ?? 0, sequenceNumber.counter)
        }
        state.withLock { state in
            for (shard, counter) in newest { state.shards[shard].publish(through: counter) }
        }
        return response
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
