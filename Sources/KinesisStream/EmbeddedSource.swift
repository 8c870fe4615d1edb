import StreamReading

/// The embedded stream as the reading seam sees it: a `StreamSource` whose records
/// are viewed in the stream's cache or read from its segment files, and the
/// `CheckpointStore` whose positions live in the stream's log.
public final class EmbeddedSource: StreamSource, CheckpointStore {
    public let stream: KinesisStream

    public init(stream: KinesisStream) {
        self.stream = stream
    }

    public var sourceName: String { stream.name }
    public var minimumReadIntervalMillis: Int64 { 0 }
    public var maximumReadLimit: Int { CallLimits.maximumGetRecords }

    public func listShards() throws(SourceError) -> [SourceShard] {
        stream.listShards().map {
            SourceShard(
                shardId: $0.shardId.description, parentShardId: $0.parentShardId?.description,
                adjacentParentShardId: $0.adjacentParentShardId?.description, startingSequenceNumber: Self.sequence($0.startingSequenceNumber),
                endingSequenceNumber: $0.endingSequenceNumber.map(Self.sequence))
        }
    }

    public func iterator(shardId: String, start: StartPosition) throws(SourceError) -> SourceIterator {
        let shard = try shard(shardId)
        let type: ShardIteratorType
        switch start {
        case .trimHorizon: type = .trimHorizon
        case .latest: type = .latest
        case let .atSequenceNumber(sequence): type = .atSequenceNumber(try Self.sequenceNumber(sequence, in: shard))
        case let .afterSequenceNumber(sequence): type = .afterSequenceNumber(try Self.sequenceNumber(sequence, in: shard))
        case let .atTimestamp(millis): type = .atTimestamp(millis: millis)
        }
        do {
            let iterator = try stream.shardIterator(shardId: shard, type: type)
            return SourceIterator(shardId: shardId, token: String(iterator.nextCounter))
        } catch {
            throw Self.sourceError(error)
        }
    }

    public var changeCount: UInt64? { stream.changeCount }

    public func read(_ iterator: SourceIterator, limit: Int) throws(SourceError) -> SourceBatch {
        let shard = try shard(iterator.shardId)
        guard let counter = UInt64(iterator.token) else { throw .failure("shard iterator \(iterator.token) was not made by this stream") }
        // The iterator's shard id string, shared by every record of the read.
        let name = iterator.shardId
        let result: (records: [StreamRecord], next: ShardIterator?, millisBehindLatest: Int64)
        do {
            result = try stream.read(ShardIterator(shardId: shard, nextCounter: counter), limit: min(limit, maximumReadLimit)) {
                StreamRecord(shardId: name, sequenceNumber: Self.sequence($0), approximateArrivalMillis: $1, partitionKey: $2, data: $3)
            }
        } catch {
            throw Self.sourceError(error)
        }
        return SourceBatch(
            records: result.records, next: result.next.map { SourceIterator(shardId: iterator.shardId, token: String($0.nextCounter)) },
            millisBehindLatest: result.millisBehindLatest)
    }

    public func checkpoints(consumer: String) throws(SourceError) -> [String: RecordSequence] {
        var positions: [String: RecordSequence] = [:]
        for (shard, sequenceNumber) in stream.checkpoints(consumer: consumer) {
            positions[shard.description] = Self.sequence(sequenceNumber)
        }
        return positions
    }

    public func save(consumer: String, _ positions: [String: RecordSequence]) throws(SourceError) {
        var sequenceNumbers: [SequenceNumber] = []
        for (shardId, sequence) in positions {
            sequenceNumbers.append(try Self.sequenceNumber(sequence, in: try shard(shardId)))
        }
        do {
            try stream.setCheckpoints(consumer: consumer, sequenceNumbers)
        } catch {
            throw Self.sourceError(error)
        }
    }

    /// The leading 1 of every sequence number (`SequenceNumber`: a 1, 6 digits of shard, 18 of counter).
    static let leadingOne: UInt128 = 1_000_000_000_000_000_000_000_000
    static let perShard: UInt128 = 1_000_000_000_000_000_000

    /// This stream's sequence numbers as the seam writes them (25 digits, as `SequenceNumber` does).
    public static func sequence(_ sequenceNumber: SequenceNumber) -> RecordSequence {
        RecordSequence(leadingOne + UInt128(sequenceNumber.shardIndex) * perShard + UInt128(sequenceNumber.counter))
    }

    static func sequenceNumber(_ sequence: RecordSequence, in shard: ShardID) throws(SourceError) -> SequenceNumber {
        guard let value = sequence.value, value >= leadingOne, value < 2 * leadingOne, (value - leadingOne) / perShard == UInt128(shard.index) else {
            throw .failure("sequence number \(sequence) is not of \(shard) of this stream")
        }
        return SequenceNumber(shardIndex: shard.index, counter: UInt64((value - leadingOne) % perShard))
    }

    private func shard(_ shardId: String) throws(SourceError) -> ShardID {
        guard let shard = ShardID(shardId), shard.index < stream.shardCount else {
            throw .notFound("shard \(shardId) is not in stream \(stream.name)")
        }
        return shard
    }

    private static func sourceError(_ error: StreamError) -> SourceError {
        switch error {
        case .expiredIterator: .expiredIterator(error.description)
        case .provisionedThroughputExceeded: .throttled(error.description)
        case .resourceNotFound: .notFound(error.description)
        default: .failure(error.description)
        }
    }
}
