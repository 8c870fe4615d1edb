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
        try checkShard(ShardID(index: sequenceNumber.shardIndex))
        state.withLock { state in
            let current = state.checkpoints[consumer]?[sequenceNumber.shardIndex]
            // A checkpoint only moves forward.
            if current.map({ $0 < sequenceNumber }) ?? true {
                state.checkpoints[consumer, default: [:]][sequenceNumber.shardIndex] = sequenceNumber
            }
        }
    }

    public var consumerNames: [String] {
        state.withLock { $0.checkpoints.keys.sorted() }
    }
}
