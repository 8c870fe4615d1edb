import Firehose
import Foundation
import KinesisStream
import Leaderboard
import RaceModel
import RaceStore
import Storage
import StreamReading

/// The stages every way of running Alleycat shares, wired together under one data
/// directory: stream → firehose → delivery bucket → merger (history files and store).
/// `alleycat race` drives them on a virtual clock, `alleycat serve` on the wall clock.
public final class PipelineStages: Sendable {
    /// The embedded stream, when this process hosts one (nil when it reads a remote source).
    public let stream: KinesisStream?
    /// What the consumers read, and where they keep their positions.
    public let source: any StreamSource
    public let checkpoints: any CheckpointStore
    /// The firehose's shards and positions when it shares the stream with other workers.
    public let leases: (any CheckpointStore & ShardAssignment)?
    public let deliveryBucket: Bucket
    public let historyBucket: Bucket
    /// The results store: SQLite under the data folder unless another was given (`--store postgres://…`).
    public let store: any ResultStore
    public let merger: HistoryMerger
    public let firehose: DeliveryStream
    /// The limits the firehose screens records with and the merger keeps out (`DATA/limits.json`).
    public let plausibility: Plausibility
    private let queue: MergeQueue
    private let clock: any EpochClock
    /// Held while these stages live: one process per data folder.
    private let lock: DataFolderLock

    /// Where the stream's records come from.
    public enum StreamSetup: Sendable {
        /// The embedded stream, fsynced, under the data directory's `stream/` (it survives a crash).
        case durable
        /// The embedded stream without fsync, in a scratch folder under the data directory
        /// removed when the process ends.
        case scratch
        /// A stream somewhere else (a Kinesis endpoint), with positions kept by this process.
        /// `leases` (a worker sharing the stream with others) give the firehose its shards
        /// and keep its positions; the other consumers read every shard, keeping theirs in `checkpoints`.
        case remote(any StreamSource, checkpoints: any CheckpointStore, leases: (any CheckpointStore & ShardAssignment)? = nil)
    }

    /// `processor` is the firehose's transform (nil: the built-in one, with the race length's rules).
    public init(
        layout: DataLayout, setup: StreamSetup, streamName: String = KinesisStream.defaultName, shards: Int, shardLimits: ShardLimits = .kinesis,
        cacheBytes: Int = KinesisStream.defaultCacheBytes, segmentBytes: Int = KinesisStream.defaultSegmentBytes, raceLength: Int,
        firehose: DeliveryStreamConfiguration, processor: (any RecordProcessor)? = nil, plausibility: Plausibility = .standard,
        clock: any EpochClock, mergeWindowMillis: Int, backgroundMerges: Bool, historyMirror: (any HistoryMirror)? = nil,
        store: (any ResultStore)? = nil, deliveryReplica: (any BucketReplica)? = nil, report: (String) -> Void = { _ in }
    ) throws {
        lock = try DataFolderLock(directory: layout.directory)
        self.plausibility = plausibility
        self.clock = clock
        switch setup {
        case .durable:
            let stream = try KinesisStream.durable(
                directory: layout.streamDirectory, name: streamName, shardCount: shards, limits: shardLimits, segmentBytes: segmentBytes,
                cacheBytes: cacheBytes, clock: clock, report: report)
            self.stream = stream
            let embedded = EmbeddedSource(stream: stream)
            (source, checkpoints, leases) = (embedded, embedded, nil)
        case .scratch:
            try FileManager.default.createDirectory(atPath: layout.directory, withIntermediateDirectories: true)
            let stream = try KinesisStream(
                scratchIn: layout.directory, name: streamName, shardCount: shards, limits: shardLimits, segmentBytes: segmentBytes,
                cacheBytes: cacheBytes, clock: clock)
            self.stream = stream
            let embedded = EmbeddedSource(stream: stream)
            (source, checkpoints, leases) = (embedded, embedded, nil)
        case let .remote(remote, positions, shared):
            stream = nil
            (source, checkpoints, leases) = (remote, positions, shared)
        }
        deliveryBucket = Bucket(name: "delivery", directory: layout.deliveryDirectory, replica: deliveryReplica)
        historyBucket = Bucket(name: "history", directory: layout.historyDirectory)
        self.store = try store ?? Self.openStore(layout)
        let rules = RecordRules(raceLength: raceLength)
        do {
            merger = try HistoryMerger(
                deliveryBucket: deliveryBucket, historyBucket: historyBucket, store: self.store, rules: rules, plausibility: plausibility,
                mirror: historyMirror)
        } catch let damaged as DamagedHistoryFile {
            throw StartError("\(damaged): `alleycat repair --class \(damaged.classId) --data \(layout.directory)` rebuilds it from the delivered objects")
        }
        queue = MergeQueue(merger: merger, coalesceMillis: mergeWindowMillis, background: backgroundMerges, clock: clock)
        queue.subscribe()
        var firehose = firehose
        firehose.plausibility = plausibility
        self.firehose = try DeliveryStream(
            configuration: firehose, source: source, checkpoints: leases ?? checkpoints, assignment: leases,
            processor: processor ?? AlleycatProcessor(rules: rules),
            bucket: deliveryBucket, clock: clock)
    }

    /// The store, checked with SQLite's quick_check: a damaged one is refused with the command that rebuilds it.
    static func openStore(_ layout: DataLayout) throws -> RaceStore {
        let repair = "`alleycat repair --store --data \(layout.directory)` rebuilds it from the delivered objects"
        let store: RaceStore
        do {
            store = try RaceStore(path: layout.storePath)
        } catch {
            throw StartError("the store \(layout.storePath) cannot be opened (\(error)): if the file is damaged, \(repair)")
        }
        let problems: [String]
        do {
            problems = try store.quickCheck().flatMap { $0.split(separator: "\n").map(String.init) }.filter { !$0.hasPrefix("***") }
        } catch {
            throw StartError("the store \(layout.storePath) is damaged (quick_check fails: \(error)): \(repair)")
        }
        guard problems.isEmpty else {
            throw StartError("the store \(layout.storePath) is damaged (quick_check: \(problems.joined(separator: "; "))): \(repair)")
        }
        return store
    }

    /// Merges done so far (each may hold several objects).
    public var mergeCount: Int { queue.mergeCount }

    /// Whether merges are failing (and being retried).
    public var mergeHealth: StageHealth { queue.status }

    /// Delivers what the firehose holds and waits until every object is merged, or a
    /// delivery or merge is failing and waits to be tried again; returns what is failing.
    @discardableResult
    public func flush() -> [String] {
        firehose.pump()
        firehose.flush()
        let delivery = firehose.health
        let deliveryFailing = delivery.isFailing
            ? ["\(firehose.waitingDeliveries) deliveries \(delivery.describeFailure(nowMillis: clock.nowMillis()))"] : []
        return deliveryFailing + queue.drain()
    }

    public func stop() {
        queue.stop()
    }
}

/// Why the stages cannot start, with what to do.
public struct StartError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
