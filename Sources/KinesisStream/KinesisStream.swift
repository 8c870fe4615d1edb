import RaceModel
import Synchronization

/// An in-memory stream with the semantics of Amazon Kinesis Data Streams
/// (contract 2): shards over the 128-bit hash key space, MD5 partitioning,
/// per-shard write limits that refuse rather than drop, sequence numbers,
/// iterators, retention and independent named consumers.
public final class KinesisStream: Sendable {
    public let name: String
    public let limits: ShardLimits
    public let retentionMillis: Int64
    public let shardIds: [ShardID]
    public let hashKeyRanges: [HashKeyRange]
    public let clock: any EpochClock
    let state: Mutex<State>
    /// The segment log of a durable stream (nil: in memory only).
    let log: SegmentLog?
    /// Names this stream's records: the log's id when durable, a new one per process
    /// otherwise. Positions saved outside the stream (the firehose's) carry it.
    public let identity: String

    public static let defaultName = "alleycat"
    public static let defaultRetentionMillis: Int64 = 24 * 3600 * 1000
    /// A durable stream's log rolls to a new segment file at this size.
    public static let defaultSegmentBytes = 64 << 20

    struct State {
        var shards: [Shard]
        /// Where accepted records' bytes go, for every shard (appends hold the lock).
        var arena: RecordArena?
        /// Consumer name → shard index → last sequence number it has finished with.
        var checkpoints: [String: [Int: SequenceNumber]] = [:]
    }

    /// A stream in memory: a new process has a new, empty stream.
    public convenience init(
        name: String = KinesisStream.defaultName, shardCount: Int = 1, limits: ShardLimits = .kinesis,
        retentionMillis: Int64 = KinesisStream.defaultRetentionMillis, clock: any EpochClock
    ) {
        precondition((1...SequenceNumber.maximumShardIndex).contains(shardCount), "shard count must be at least 1")
        let ranges = HashKeyRange.evenSplit(into: shardCount)
        self.init(
            name: name, ranges: ranges, limits: limits, retentionMillis: retentionMillis, clock: clock,
            state: State(shards: Self.shards(ranges)), log: nil, identity: "memory-" + String(UInt64.random(in: .min ... .max), radix: 16))
    }

    /// A durable stream whose accepted records are in the segment log under `directory`
    /// before they are acknowledged. Opening rebuilds the shards, sequence numbers and
    /// consumer positions from the log; `report` gets a line about what was found.
    public static func durable(
        directory: String, name: String = KinesisStream.defaultName, shardCount: Int = 1, limits: ShardLimits = .kinesis,
        retentionMillis: Int64 = KinesisStream.defaultRetentionMillis, segmentBytes: Int = KinesisStream.defaultSegmentBytes, clock: any EpochClock,
        report: (String) -> Void = { _ in }
    ) throws -> KinesisStream {
        precondition((1...SequenceNumber.maximumShardIndex).contains(shardCount), "shard count must be at least 1")
        let ranges = HashKeyRange.evenSplit(into: shardCount)
        var state = State(shards: shards(ranges))
        let log = try SegmentLog(directory: directory, segmentBytes: segmentBytes, retentionMillis: retentionMillis) { frame in
            switch frame {
            case let .record(shard, counter, arrival, key, data):
                guard shard < shardCount else {
                    throw StreamLogError("the stream log in \(directory) has records of shard \(ShardID(index: shard)), but the stream has \(shardCount) shard(s): start with --shards \(shard + 1) or more, or move \(directory) away")
                }
                let partitionKey = String(decoding: key, as: UTF8.self)
                guard state.shards[shard].restore(counter: counter, arrivalMillis: arrival, partitionKey: partitionKey, data: data, arena: &state.arena) else {
                    throw StreamLogError("the stream log in \(directory) has record \(SequenceNumber(shardIndex: shard, counter: counter)) out of order: move \(directory) away")
                }
            case let .checkpoint(consumer, shard, counter):
                if shard < shardCount {
                    let current = state.checkpoints[consumer]?[shard]?.counter ?? 0
                    state.checkpoints[consumer, default: [:]][shard] = SequenceNumber(shardIndex: shard, counter: max(counter, current))
                }
            }
        }
        let recovery = log.lastRecovery
        var line = "stream log \(directory): \(recovery.records) record(s) and \(recovery.checkpoints) checkpoint(s) from \(recovery.segments) segment(s)"
        if let from = recovery.droppedFrom {
            line += "; cut \(recovery.droppedBytes) byte(s) of a record torn by a crash off \(from)"
        }
        report(line)
        let stream = KinesisStream(
            name: name, ranges: ranges, limits: limits, retentionMillis: retentionMillis, clock: clock, state: state, log: log,
            identity: log.identity)
        stream.trimExpired()
        return stream
    }

    private init(
        name: String, ranges: [HashKeyRange], limits: ShardLimits, retentionMillis: Int64, clock: any EpochClock, state: State,
        log: SegmentLog?, identity: String
    ) {
        self.name = name
        self.limits = limits
        self.retentionMillis = retentionMillis
        self.clock = clock
        self.hashKeyRanges = ranges
        self.shardIds = ranges.indices.map { ShardID(index: $0) }
        self.state = Mutex(state)
        self.log = log
        self.identity = identity
    }

    private static func shards(_ ranges: [HashKeyRange]) -> [Shard] {
        ranges.enumerated().map { Shard(id: ShardID(index: $0.offset), range: $0.element) }
    }

    /// Drops records past retention from every shard.
    func trimExpired() {
        guard retentionMillis < Int64.max / 2 else { return }
        let cutoff = clock.nowMillis() - retentionMillis
        state.withLock { state in state.shards.indices.forEach { state.shards[$0].trim(arrivedBefore: cutoff) } }
    }

    public var shardCount: Int { shardIds.count }

    /// Index of the shard whose range holds `hashKey`.
    public func shardIndex(forHashKey hashKey: UInt128) -> Int {
        var low = 0
        var high = hashKeyRanges.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if hashKeyRanges[mid].startingHashKey <= hashKey { low = mid } else { high = mid - 1 }
        }
        return low
    }

    public func shardIndex(forPartitionKey key: String) -> Int {
        shardIndex(forHashKey: PartitionHash.hashKey(forPartitionKey: key))
    }

    func checkShard(_ shardId: ShardID) throws(StreamError) {
        guard shardId.index < shardCount else {
            throw .resourceNotFound("Shard \(shardId) in stream \(name) does not exist (the stream has \(shardCount) shard\(shardCount == 1 ? "" : "s"))")
        }
    }
}
