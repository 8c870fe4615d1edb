/// Where a reader starts in a shard.
public enum ShardIteratorType: Sendable, Equatable {
    case trimHorizon
    case latest
    case atSequenceNumber(SequenceNumber)
    case afterSequenceNumber(SequenceNumber)
    case atTimestamp(millis: Int64)
}

/// A reader's position: the next record counter to read in one shard.
public struct ShardIterator: Sendable, Hashable {
    public let shardId: ShardID
    public let nextCounter: UInt64

    public init(shardId: ShardID, nextCounter: UInt64) {
        self.shardId = shardId
        self.nextCounter = nextCounter
    }
}

extension KinesisStream {
    public func shardIterator(shardId: ShardID, type: ShardIteratorType) throws(StreamError) -> ShardIterator {
        try checkShard(shardId)
        switch type {
        case let .atSequenceNumber(sequenceNumber), let .afterSequenceNumber(sequenceNumber):
            guard sequenceNumber.shardIndex == shardId.index else {
                throw .invalidArgument("Sequence number \(sequenceNumber) belongs to \(ShardID(index: sequenceNumber.shardIndex)), not \(shardId)")
            }
        default:
            break
        }
        let counter: UInt64 = state.withLock { state in
            let shard = state.shards[shardId.index]
            switch type {
            case .trimHorizon:
                return shard.oldestCounter
            case .latest:
                return shard.visibleCounter
            case let .atSequenceNumber(sequenceNumber):
                return sequenceNumber.counter
            case let .afterSequenceNumber(sequenceNumber):
                return sequenceNumber.counter + 1
            case let .atTimestamp(millis):
                return shard.counter(atOrAfterMillis: millis)
            }
        }
        return ShardIterator(shardId: shardId, nextCounter: counter)
    }
}
