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

    public static let defaultName = "alleycat"
    public static let defaultRetentionMillis: Int64 = 24 * 3600 * 1000

    struct State {
        var shards: [Shard]
        /// Where accepted records' bytes go, for every shard (appends hold the lock).
        var arena: RecordArena?
        /// Consumer name → shard index → last sequence number it has finished with.
        var checkpoints: [String: [Int: SequenceNumber]] = [:]
    }

    public init(
        name: String = KinesisStream.defaultName, shardCount: Int = 1, limits: ShardLimits = .kinesis,
        retentionMillis: Int64 = KinesisStream.defaultRetentionMillis, clock: any EpochClock
    ) {
        precondition((1...SequenceNumber.maximumShardIndex).contains(shardCount), "shard count must be at least 1")
        self.name = name
        self.limits = limits
        self.retentionMillis = retentionMillis
        self.clock = clock
        let ranges = HashKeyRange.evenSplit(into: shardCount)
        self.hashKeyRanges = ranges
        self.shardIds = (0..<shardCount).map { ShardID(index: $0) }
        self.state = Mutex(State(shards: ranges.enumerated().map { Shard(id: ShardID(index: $0.offset), range: $0.element) }))
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
