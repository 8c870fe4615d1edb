/// A named reader of every shard. It resumes after its checkpoints (or from
/// `start` where it has none) and reads shards round-robin.
public final class StreamConsumer: @unchecked Sendable {
    public let name: String
    public let stream: KinesisStream
    // Only the owning stage calls poll(); the class is not meant for concurrent use.
    private var iterators: [ShardIterator]

    public init(name: String, stream: KinesisStream, start: ShardIteratorType = .trimHorizon) throws(StreamError) {
        self.name = name
        self.stream = stream
        let checkpoints = stream.checkpoints(consumer: name)
        var iterators: [ShardIterator] = []
        for shardId in stream.shardIds {
            if let checkpoint = checkpoints[shardId] {
                iterators.append(try stream.shardIterator(shardId: shardId, type: .afterSequenceNumber(checkpoint)))
            } else {
                iterators.append(try stream.shardIterator(shardId: shardId, type: start))
            }
        }
        self.iterators = iterators
    }

    /// Reads what is available, up to `limit` records per shard.
    public func poll(limitPerShard: Int = CallLimits.maximumGetRecords) -> [StreamRecord] {
        var all: [StreamRecord] = []
        for index in iterators.indices {
            // The iterator's shard exists, and the limit is in range, so this cannot throw.
            guard let result = try? stream.getRecords(iterators[index], limit: limitPerShard) else { continue }
            iterators[index] = result.nextShardIterator
            if all.isEmpty { all = result.records } else { all.append(contentsOf: result.records) }
        }
        return all
    }

    /// Records that this consumer is done with everything up to `sequenceNumber` in its shard.
    public func checkpoint(_ sequenceNumber: SequenceNumber) throws(StreamError) {
        try stream.setCheckpoint(consumer: name, sequenceNumber: sequenceNumber)
    }
}
