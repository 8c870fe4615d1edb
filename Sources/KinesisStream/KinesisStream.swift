#if canImport(Glibc)
import Glibc
#endif
import Foundation
import RaceModel
import StreamReading
import Synchronization

/// A stream with the semantics of Amazon Kinesis Data Streams (contract 2): shards
/// over the 128-bit hash key space, MD5 partitioning, per-shard write limits that
/// refuse rather than drop, sequence numbers, iterators, retention and independent
/// named consumers.
///
/// Its records live in a segment log on disk; memory holds an index (a few bytes per
/// call per shard) and a bounded cache of the newest log bytes, so consumers at the
/// tail read memory and a consumer far behind reads the files. A durable stream
/// fsyncs before it acknowledges; a scratch stream (`alleycat race`, `--in-memory`)
/// writes the same files without fsync in a folder of its own, removed when it closes.
public final class KinesisStream: Sendable {
    public let name: String
    public let limits: ShardLimits
    /// How long records are kept (24 h unless IncreaseStreamRetentionPeriod says otherwise).
    public var retentionMillis: Int64 { log.retentionMillis }
    public let clock: any EpochClock
    let state: Mutex<State>
    let log: SegmentLog
    /// The folder of a scratch stream, removed when the stream goes (nil: durable).
    let scratchDirectory: String?
    /// Names this stream's records: the log's id. Positions saved outside the stream carry it.
    public let identity: String
    /// Whether the log stores what is put (failing while the disk is full, say).
    let storage = Mutex(StageHealth())
    /// Counts commits of records and reshards (`StreamSource.changeCount`).
    let changes = Atomic<UInt64>(0)

    /// Grows each time records become readable or the shards change.
    public var changeCount: UInt64 { changes.load(ordering: .acquiring) }

    public static let defaultName = "alleycat"
    public static let defaultRetentionMillis: Int64 = 24 * 3600 * 1000
    /// The log rolls to a new segment file at this size.
    public static let defaultSegmentBytes = 64 << 20
    /// The newest log bytes kept in memory for readers at the tail (`--stream-cache-mb`).
    public static let defaultCacheBytes = 64 << 20

    /// Whether records put now are stored: failing from a write the log refused until the next it took.
    public var storageHealth: StageHealth {
        storage.withLock { $0 }
    }

    struct State {
        /// Every shard by index, open and closed (a split or merge closes its parents).
        /// Which are open changes only through `reshard`.
        var shards: [Shard]
        /// The open shards by starting hash key: where a record goes.
        private(set) var routing: [(start: UInt128, index: Int)]
        var cache: RecordCache
        /// Consumer name → shard index → last sequence number it has finished with.
        var checkpoints: [String: [Int: SequenceNumber]] = [:]

        init(shards: [Shard], cache: RecordCache) {
            self.shards = shards
            self.routing = Self.routing(shards)
            self.cache = cache
        }

        /// Takes the shards of a split, merge or new shard count.
        mutating func reshard(_ shards: [Shard]) {
            self.shards = shards
            routing = Self.routing(shards)
        }

        static func routing(_ shards: [Shard]) -> [(start: UInt128, index: Int)] {
            shards.filter(\.isOpen).map { ($0.range.startingHashKey, $0.id.index) }.sorted { $0.start < $1.start }
        }

        /// Index of the open shard whose range holds `hashKey`.
        func shardIndex(forHashKey hashKey: UInt128) -> Int {
            var low = 0
            var high = routing.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if routing[mid].start <= hashKey { low = mid } else { high = mid - 1 }
            }
            return routing[low].index
        }
    }

    /// A scratch stream in a new folder under the system's temporary directory (tests,
    /// tools): a new stream each time, its files removed when it goes.
    public convenience init(
        name: String = KinesisStream.defaultName, shardCount: Int = 1, limits: ShardLimits = .kinesis,
        retentionMillis: Int64 = KinesisStream.defaultRetentionMillis, cacheBytes: Int = KinesisStream.defaultCacheBytes, clock: any EpochClock
    ) {
        do {
            try self.init(
                scratchIn: FileManager.default.temporaryDirectory.path, name: name, shardCount: shardCount, limits: limits,
                retentionMillis: retentionMillis, cacheBytes: cacheBytes, clock: clock)
        } catch {
            fatalError("cannot make a scratch stream: \(error)")
        }
    }

    /// A scratch stream: the same log as a durable one, without fsync, in a new folder
    /// under `parent` that is removed when the stream goes (and by the next scratch
    /// stream there if this process died first).
    public convenience init(
        scratchIn parent: String, name: String = KinesisStream.defaultName, shardCount: Int = 1, limits: ShardLimits = .kinesis,
        retentionMillis: Int64 = KinesisStream.defaultRetentionMillis, segmentBytes: Int = KinesisStream.defaultSegmentBytes,
        cacheBytes: Int = KinesisStream.defaultCacheBytes, clock: any EpochClock
    ) throws {
        let root = parent + "/stream-scratch"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for leftover in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            if let pid = Int32(leftover.split(separator: "-").first ?? ""), pid != getpid(), kill(pid, 0) != 0 {
                try? FileManager.default.removeItem(atPath: root + "/" + leftover)
            }
        }
        let directory = root + "/\(getpid())-" + String(UInt64.random(in: .min ... .max), radix: 16)
        try self.init(
            directory: directory, sync: false, scratch: true, name: name, shardCount: shardCount, limits: limits,
            retentionMillis: retentionMillis, segmentBytes: segmentBytes, cacheBytes: cacheBytes, clock: clock, report: { _ in })
    }

    /// A durable stream whose accepted records are in the segment log under `directory`
    /// before they are acknowledged. Opening rebuilds the shards, sequence numbers and
    /// consumer positions from the log; `report` gets a line about what was found.
    public static func durable(
        directory: String, name: String = KinesisStream.defaultName, shardCount: Int = 1, limits: ShardLimits = .kinesis,
        retentionMillis: Int64 = KinesisStream.defaultRetentionMillis, segmentBytes: Int = KinesisStream.defaultSegmentBytes,
        cacheBytes: Int = KinesisStream.defaultCacheBytes, clock: any EpochClock, report: (String) -> Void = { _ in }
    ) throws -> KinesisStream {
        try KinesisStream(
            directory: directory, sync: true, scratch: false, name: name, shardCount: shardCount, limits: limits,
            retentionMillis: retentionMillis, segmentBytes: segmentBytes, cacheBytes: cacheBytes, clock: clock, report: report)
    }

    private init(
        directory: String, sync: Bool, scratch: Bool, name: String, shardCount: Int, limits: ShardLimits, retentionMillis: Int64,
        segmentBytes: Int, cacheBytes: Int, clock: any EpochClock, report: (String) -> Void
    ) throws {
        precondition((1...SequenceNumber.maximumShardIndex).contains(shardCount), "shard count must be at least 1")
        // A stream resharded over the API keeps its shards in its folder; a new one splits the key space evenly.
        let saved = scratch ? nil : try ShardLayout.read(directory: directory)
        let shards = saved ?? HashKeyRange.evenSplit(into: shardCount).enumerated().map { Shard(id: ShardID(index: $0.offset), range: $0.element) }
        var state = State(shards: shards, cache: RecordCache(capacityBytes: cacheBytes))
        let knownShards = shards.count
        let log = try SegmentLog(directory: directory, segmentBytes: segmentBytes, retentionMillis: retentionMillis, sync: sync) { frame, offset, length in
            switch frame {
            case let .record(shard, counter, arrival, _, _):
                guard shard < knownShards else {
                    throw StreamLogError("the stream log in \(directory) has records of shard \(ShardID(index: shard)), but the stream has \(knownShards) shard(s): start with --shards \(shard + 1) or more, or move \(directory) away")
                }
                guard state.shards[shard].restore(counter: counter, arrivalMillis: arrival, offset: offset, length: length) else {
                    throw StreamLogError("the stream log in \(directory) has record \(SequenceNumber(shardIndex: shard, counter: counter)) out of order: move \(directory) away")
                }
            case let .checkpoint(consumer, shard, counter):
                if shard < knownShards {
                    let current = state.checkpoints[consumer]?[shard]?.counter ?? 0
                    state.checkpoints[consumer, default: [:]][shard] = SequenceNumber(shardIndex: shard, counter: max(counter, current))
                }
            }
        }
        if !scratch {
            let recovery = log.lastRecovery
            var line = "stream log \(directory): \(recovery.records) record(s) and \(recovery.checkpoints) checkpoint(s) from \(recovery.segments) segment(s)"
            if let from = recovery.droppedFrom {
                line += "; cut \(recovery.droppedBytes) byte(s) of a record torn by a crash off \(from)"
            }
            if let saved {
                let open = saved.filter(\.isOpen).count
                line += "; \(saved.count) shard(s), \(open) open, as resharded over the API"
                if open != shardCount { line += " (--shards \(shardCount) applies to a new stream only)" }
            }
            report(line)
        }
        self.name = name
        self.limits = limits
        if !scratch, let saved = try? String(contentsOfFile: directory + "/" + Self.retentionFile, encoding: .utf8),
           let hours = Int64(saved.trimmingCharacters(in: .whitespacesAndNewlines)), Self.retentionHours.contains(hours) {
            log.retentionMillis = hours * 3_600_000
        }
        self.clock = clock
        self.state = Mutex(state)
        self.log = log
        self.scratchDirectory = scratch ? directory : nil
        self.identity = log.identity
        trimExpired()
    }

    deinit {
        if let scratchDirectory { try? FileManager.default.removeItem(atPath: scratchDirectory) }
    }

    /// Whether `name`, a file in a durable stream's folder, is part of its log (the segments,
    /// which hold the records and the consumers' checkpoints, and the log's identity) rather
    /// than a setting (shards, retention, tags, consumers, mode) that a new log can start with.
    public static func isLogFile(_ name: String) -> Bool {
        name == SegmentLog.identityFile || SegmentLog.isSegmentFile(name)
    }

    /// Retention periods a stream may have, in hours (Kinesis: a day to a year).
    public static let retentionHours: ClosedRange<Int64> = 24...8760
    /// Where a durable stream keeps a retention set over the API, so it survives a restart.
    static let retentionFile = "retention-hours"

    /// Sets how long records are kept, saved beside a durable stream's log first; records
    /// past a shorter period go now.
    public func setRetention(hours: Int64) throws(StreamError) {
        precondition(Self.retentionHours.contains(hours), "retention is 24 to 8760 hours")
        if scratchDirectory == nil {
            do {
                try Data("\(hours)\n".utf8).write(to: URL(fileURLWithPath: log.directory + "/" + Self.retentionFile), options: .atomic)
            } catch {
                throw .internalFailure("the stream's retention could not be saved in \(log.directory) (\(error)); nothing changed: retry later")
            }
        }
        log.retentionMillis = hours * 3_600_000
        trimExpired()
    }

    /// Drops records past retention from every shard.
    func trimExpired() {
        let cutoff = retentionCutoff(nowMillis: clock.nowMillis())
        let oldest = log.oldestOffset
        state.withLock { state in state.shards.indices.forEach { state.shards[$0].trim(arrivedBefore: cutoff, offsetBelow: oldest) } }
    }

    func retentionCutoff(nowMillis: Int64) -> Int64 {
        retentionMillis < Int64.max / 2 ? nowMillis - retentionMillis : .min
    }

    /// Bytes of log the cache holds in memory now.
    public var cachedBytes: Int { state.withLock { $0.cache.residentBytes } }

    /// Every shard, open and closed: shard ids run from 0 to this.
    public var shardCount: Int { state.withLock { $0.shards.count } }
    /// The shards records go to now.
    public var openShardCount: Int { state.withLock { $0.routing.count } }

    /// Index of the open shard whose range holds `hashKey`.
    public func shardIndex(forHashKey hashKey: UInt128) -> Int {
        state.withLock { $0.shardIndex(forHashKey: hashKey) }
    }

    public func shardIndex(forPartitionKey key: String) -> Int {
        shardIndex(forHashKey: PartitionHash.hashKey(forPartitionKey: key))
    }

    func checkShard(_ shardId: ShardID) throws(StreamError) {
        let count = shardCount
        guard shardId.index < count else {
            throw .resourceNotFound("Shard \(shardId) in stream \(name) does not exist (the stream has \(count) shard\(count == 1 ? "" : "s"))")
        }
    }
}
