/// A shard as a reader sees it: its lineage (a shard made by a split or merge names
/// its parents) and whether it is closed (no new records; read to its end, then its
/// children follow).
public struct SourceShard: Sendable, Equatable {
    public var shardId: String
    public var parentShardId: String?
    public var adjacentParentShardId: String?
    public var startingSequenceNumber: RecordSequence
    /// Set once the shard is closed.
    public var endingSequenceNumber: RecordSequence?

    public init(
        shardId: String, parentShardId: String? = nil, adjacentParentShardId: String? = nil,
        startingSequenceNumber: RecordSequence, endingSequenceNumber: RecordSequence? = nil
    ) {
        self.shardId = shardId
        self.parentShardId = parentShardId
        self.adjacentParentShardId = adjacentParentShardId
        self.startingSequenceNumber = startingSequenceNumber
        self.endingSequenceNumber = endingSequenceNumber
    }

    public var isClosed: Bool { endingSequenceNumber != nil }
    public var parents: [String] { [parentShardId, adjacentParentShardId].compactMap { $0 } }
}

/// Where a reader starts in a shard: the five Kinesis iterator types.
public enum StartPosition: Sendable, Equatable {
    case trimHorizon
    case latest
    case atSequenceNumber(RecordSequence)
    case afterSequenceNumber(RecordSequence)
    case atTimestamp(millis: Int64)
}

/// A position in one shard, as the source hands it out: opaque to the reader.
public struct SourceIterator: Sendable, Hashable {
    public let shardId: String
    public let token: String

    public init(shardId: String, token: String) {
        self.shardId = shardId
        self.token = token
    }
}

/// One read of one shard.
public struct SourceBatch: Sendable {
    public var records: [StreamRecord]
    /// Nil when the shard is closed and read to its end.
    public var next: SourceIterator?
    /// How far the read is behind the newest record of the shard, 0 when caught up.
    public var millisBehindLatest: Int64

    public init(records: [StreamRecord], next: SourceIterator?, millisBehindLatest: Int64) {
        self.records = records
        self.next = next
        self.millisBehindLatest = millisBehindLatest
    }
}

/// What a source can answer instead of records.
public enum SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The iterator is too old (Kinesis: 5 minutes); get a new one from the last position.
    case expiredIterator(String)
    /// Over the source's read limits; read again later.
    case throttled(String)
    /// The stream or shard does not exist (any more).
    case notFound(String)
    /// Anything else (network, answers that do not parse, a failing disk).
    case failure(String)

    public var message: String {
        switch self {
        case let .expiredIterator(message), let .throttled(message), let .notFound(message), let .failure(message): message
        }
    }

    public var description: String { message }
}

/// The one seam every consumer reads a stream through (the embedded stream, or a
/// Kinesis API endpoint). Calls block until answered: consumers run on threads of
/// their own, never on the cooperative pool.
public protocol StreamSource: AnyObject, Sendable {
    /// Names the stream for log lines and checkpoints ("alleycat", or URL and name).
    var sourceName: String { get }
    /// The fewest milliseconds between two reads of one shard (Kinesis allows 5 a second).
    var minimumReadIntervalMillis: Int64 { get }
    /// The most records one read may ask for.
    var maximumReadLimit: Int { get }

    /// A number that grows each time records become readable in any shard or the shards
    /// change, nil when the source cannot tell (a remote stream). A reader that found
    /// every shard empty at one value has nothing to read while the value holds, so it
    /// need not ask each shard again (an idle consumer of 256 shards polled every 2 ms
    /// otherwise costs a sixth of a core).
    var changeCount: UInt64? { get }

    func listShards() throws(SourceError) -> [SourceShard]
    func iterator(shardId: String, start: StartPosition) throws(SourceError) -> SourceIterator
    func read(_ iterator: SourceIterator, limit: Int) throws(SourceError) -> SourceBatch
}

extension StreamSource {
    public var changeCount: UInt64? { nil }
}

/// Where a consumer's positions are kept: the one place (the embedded stream keeps them
/// in its log; a remote source's are kept by the service in a file).
public protocol CheckpointStore: AnyObject, Sendable {
    /// Shard id → the last sequence number the consumer has finished with.
    func checkpoints(consumer: String) throws(SourceError) -> [String: RecordSequence]
    /// Moves the consumer's positions forward (never back) and returns once they are kept.
    func save(consumer: String, _ positions: [String: RecordSequence]) throws(SourceError)
}

/// Which shards a reader may read when workers share a stream (leases): the reader's loop
/// asks before each read, and reports each shard it read to its end once every record of
/// it is delivered and checkpointed.
public protocol ShardAssignment: AnyObject, Sendable {
    /// The shards to read now, and the shards finished anywhere (whose children may start).
    func shards(nowMillis: Int64) -> (held: Set<String>, finished: Set<String>)
    /// Every record of `shardId` (closed, read to its end) is delivered and checkpointed.
    func shardFinished(_ shardId: String)
}
