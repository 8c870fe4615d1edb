import RaceModel

extension KinesisStream {
    /// PutRecords: up to 500 records; each is accepted (shard id and sequence number)
    /// or refused for throughput, in request order. A badly shaped call throws whole.
    /// On a durable stream the answer comes once the accepted records are synced to
    /// the log, and readers see them from then on.
    public func putRecords(_ entries: [PutRecordsRequestEntry]) throws(StreamError) -> PutRecordsResponse {
        store(entries, hashKeys: try PutRecordsValidation.validate(entries, streamName: name))
    }

    /// Admits, logs and indexes validated records; PutRecord and PutRecords share it.
    /// A shard's records of one call are written back to back, so each is one index run.
    func store(_ entries: [PutRecordsRequestEntry], hashKeys: [UInt128]) -> PutRecordsResponse {
        let now = clock.nowMillis()
        let limits = limits
        let streamName = name
        let log = log
        let cutoff = retentionCutoff(nowMillis: now)
        let oldest = log.oldestOffset
        let (response, runs, logEnd) = state.withLock { state -> (PutRecordsResponse, [(shard: Int, counter: UInt64)], UInt64) in
            var failed = 0
            var results: [PutRecordsResultEntry] = []
            results.reserveCapacity(entries.count)
            var accepted: [(shard: Int, entry: Int, counter: UInt64, arrival: Int64)] = []
            accepted.reserveCapacity(entries.count)
            var oneShard = true
            for (position, (entry, hashKey)) in zip(entries, hashKeys).enumerated() {
                let shard = state.shardIndex(forHashKey: hashKey)
                let size = entry.data.count + entry.partitionKey.utf8.count
                if let refusal = state.shards[shard].admit(size: size, nowMillis: now, limits: limits) {
                    failed += 1
                    results.append(.refused(
                        errorCode: .provisionedThroughputExceeded,
                        errorMessage: Self.rateMessage(refusal, shard: state.shards[shard].id, stream: streamName, limits: limits)))
                } else {
                    let (counter, arrival) = state.shards[shard].assign(nowMillis: now)
                    oneShard = oneShard && (accepted.first.map { $0.shard == shard } ?? true)
                    accepted.append((shard, position, counter, arrival))
                    results.append(.accepted(shardId: state.shards[shard].id, sequenceNumber: SequenceNumber(shardIndex: shard, counter: counter)))
                }
            }
            let response = PutRecordsResponse(failedPutCount: failed, records: results)
            guard !accepted.isEmpty else { return (response, [], 0) }
            // Each shard's records back to back, in request order within it.
            if !oneShard { accepted.sort { ($0.shard, $0.entry) < ($1.shard, $1.entry) } }
            var frames: [UInt8] = []
            frames.reserveCapacity(entries.reduce(0) { $0 + $1.data.count + $1.partitionKey.utf8.count + 40 })
            var pending: [(shard: Int, start: Int, run: Shard.Run)] = []
            var index = 0
            while index < accepted.count {
                let first = accepted[index]
                let start = frames.count
                var count = 0
                while index < accepted.count, accepted[index].shard == first.shard {
                    let record = accepted[index]
                    let entry = entries[record.entry]
                    LogFrame.appendRecord(
                        shard: record.shard, counter: record.counter, arrivalMillis: record.arrival, partitionKey: entry.partitionKey,
                        data: entry.data, checksum: log.sync, to: &frames)
                    count += 1
                    index += 1
                }
                pending.append((first.shard, start, Shard.Run(
                    offset: 0, bytes: UInt32(frames.count - start), count: UInt32(count), firstCounter: first.counter,
                    arrivalMillis: first.arrival, committed: false)))
            }
            // Frames join the log in the order their sequence numbers were given.
            let logStart = frames.withUnsafeBytes { raw in
                let offset = log.append(raw, newestArrival: now)
                state.cache.append(raw, at: offset)
                return offset
            }
            for var item in pending {
                item.run.offset = logStart + UInt64(item.start)
                state.shards[item.shard].add(item.run)
                state.shards[item.shard].trim(arrivedBefore: cutoff, offsetBelow: oldest)
            }
            return (response, pending.map { ($0.shard, $0.run.firstCounter) }, logStart + UInt64(frames.count))
        }
        guard !runs.isEmpty else { return response }
        return commitWhenWritten(response, runs: runs, through: logEnd, nowMillis: now)
    }

    /// Waits for the log to write (and sync) the accepted records, then lets readers see
    /// them. If the log cannot be written they are answered as InternalFailure and taken
    /// out of the index: nothing answered as failed is ever read back.
    func commitWhenWritten(
        _ response: PutRecordsResponse, runs: [(shard: Int, counter: UInt64)], through offset: UInt64, nowMillis: Int64
    ) -> PutRecordsResponse {
        do {
            try log.waitWritten(through: offset, nowMillis: nowMillis, positions: checkpointFrames)
        } catch {
            state.withLock { state in
                for run in runs { state.shards[run.shard].remove(runAt: run.counter) }
            }
            if storage.withLock({ $0.failed(error.message, nowMillis: nowMillis) }) {
                logLine("stream: cannot store records: \(error.message); PutRecords answers InternalFailure for them until the log can be written again")
            }
            var failed = response
            for index in failed.records.indices where failed.records[index].isAccepted {
                failed.records[index] = .refused(
                    errorCode: .internalFailure, errorMessage: "the stream could not store this record (\(error.message)); retry later")
                failed.failedPutCount += 1
            }
            return failed
        }
        state.withLock { state in
            for run in runs { state.shards[run.shard].commit(runAt: run.counter) }
        }
        changes.add(1, ordering: .releasing)
        if let streak = storage.withLock({ $0.recovered(nowMillis: nowMillis) }) {
            logLine("stream: storing records again after \(streak)")
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
