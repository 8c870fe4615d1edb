public struct ShardDescription: Sendable, Equatable {
    public var shardId: ShardID
    public var hashKeyRange: HashKeyRange
    public var startingSequenceNumber: SequenceNumber
    /// Records currently retained.
    public var recordCount: Int
}

extension KinesisStream {
    public func listShards() -> [ShardDescription] {
        state.withLock { state in
            state.shards.map { shard in
                ShardDescription(
                    shardId: shard.id, hashKeyRange: shard.range,
                    startingSequenceNumber: SequenceNumber(shardIndex: shard.id.index, counter: 1),
                    recordCount: shard.retainedCount)
            }
        }
    }
}
