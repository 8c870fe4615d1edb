public struct ShardDescription: Sendable, Equatable {
    public var shardId: ShardID
    public var hashKeyRange: HashKeyRange
    public var startingSequenceNumber: SequenceNumber
    /// Set once the shard is closed: the sequence number of its last record (or the one
    /// before its first, when it took none).
    public var endingSequenceNumber: SequenceNumber?
    public var parentShardId: ShardID?
    public var adjacentParentShardId: ShardID?
    /// When a split or merge made it (0 for the stream's first shards) and closed it.
    public var createdMillis: Int64
    public var closedMillis: Int64?
    /// Records currently retained.
    public var recordCount: Int

    public var isOpen: Bool { endingSequenceNumber == nil }
}

extension KinesisStream {
    /// Every shard, open and closed, by index.
    public func listShards() -> [ShardDescription] {
        state.withLock { state in
            state.shards.map { shard in
                ShardDescription(
                    shardId: shard.id, hashKeyRange: shard.range,
                    startingSequenceNumber: SequenceNumber(shardIndex: shard.id.index, counter: 1),
                    endingSequenceNumber: shard.endingCounter.map { SequenceNumber(shardIndex: shard.id.index, counter: $0) },
                    parentShardId: shard.parent.map { ShardID(index: $0) }, adjacentParentShardId: shard.adjacentParent.map { ShardID(index: $0) },
                    createdMillis: shard.createdMillis, closedMillis: shard.closedMillis, recordCount: shard.retainedCount)
            }
        }
    }
}
