extension KinesisStream {
    /// The last sequence number `consumer` has finished with in each shard.
    /// Consumers are independent: each name has its own positions.
    public func checkpoints(consumer: String) -> [ShardID: SequenceNumber] {
        state.withLock { state in
            var result: [ShardID: SequenceNumber] = [:]
            for (index, sequenceNumber) in state.checkpoints[consumer] ?? [:] {
                result[ShardID(index: index)] = sequenceNumber
            }
            return result
        }
    }

    public func setCheckpoint(consumer: String, sequenceNumber: SequenceNumber) throws(StreamError) {
        try setCheckpoints(consumer: consumer, [sequenceNumber])
    }

    /// Moves `consumer`'s position in each named shard forward (never back). On a
    /// durable stream the positions are in the log when this returns, one sync for all.
    public func setCheckpoints(consumer: String, _ sequenceNumbers: [SequenceNumber]) throws(StreamError) {
        for sequenceNumber in sequenceNumbers { try checkShard(ShardID(index: sequenceNumber.shardIndex)) }
        let log = log
        let logEnd: UInt64? = state.withLock { state in
            var frames: [UInt8] = []
            for sequenceNumber in sequenceNumbers {
                let current = state.checkpoints[consumer]?[sequenceNumber.shardIndex]
                guard current.map({ $0 < sequenceNumber }) ?? true else { continue }
                state.checkpoints[consumer, default: [:]][sequenceNumber.shardIndex] = sequenceNumber
                LogFrame.appendCheckpoint(consumer: consumer, shard: sequenceNumber.shardIndex, counter: sequenceNumber.counter, to: &frames)
            }
            guard !frames.isEmpty else { return nil }
            return frames.withUnsafeBytes { raw in
                let start = log.append(raw)
                state.cache.append(raw, at: start)
                return start + UInt64(raw.count)
            }
        }
        if let logEnd {
            do {
                try log.waitWritten(through: logEnd, nowMillis: clock.nowMillis(), positions: checkpointFrames)
            } catch {
                throw .internalFailure("the stream could not store the checkpoints of \(consumer): \(error.message)")
            }
        }
    }

    /// Every consumer's positions as log frames (the head of a new segment).
    func checkpointFrames() -> [UInt8] {
        state.withLock { state in
            var frames: [UInt8] = []
            for (consumer, shards) in state.checkpoints.sorted(by: { $0.key < $1.key }) {
                for (shard, sequenceNumber) in shards.sorted(by: { $0.key < $1.key }) {
                    LogFrame.appendCheckpoint(consumer: consumer, shard: shard, counter: sequenceNumber.counter, to: &frames)
                }
            }
            return frames
        }
    }

    public var consumerNames: [String] {
        state.withLock { $0.checkpoints.keys.sorted() }
    }
}
