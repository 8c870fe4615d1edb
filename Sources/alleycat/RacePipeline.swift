import Firehose
import Pipeline
import KinesisStream
import Leaderboard
import RaceModel
import RaceStore
import Simulator
import Synchronization

public struct PipelineConfiguration: Sendable {
    public var plan: SimulationPlan
    public var layout: DataLayout
    public var shards: Int
    public var shardLimits: ShardLimits
    public var firehose: DeliveryStreamConfiguration
    /// The firehose's transform (nil: the built-in one).
    public var processor: (any RecordProcessor)?
    /// Keep the stream in a synced segment log under `layout.streamDirectory` (else in
    /// a scratch log without fsync, removed at the end).
    public var durable: Bool
    /// The newest stream log bytes kept in memory.
    public var cacheBytes: Int
    /// New shard counts (UpdateShardCount) after seconds of the run (counted over all its races).
    public var reshards: [Reshard]
    /// The limits records are screened with (firehose and merger).
    public var plausibility: Plausibility

    /// After `second` seconds of the run, the stream's open shards become `shards`.
    public struct Reshard: Sendable, Equatable {
        public var second: Int
        public var shards: Int

        public init(second: Int, shards: Int) {
            self.second = second
            self.shards = shards
        }
    }

    public init(
        plan: SimulationPlan, layout: DataLayout = DataLayout(), shards: Int = 1, shardLimits: ShardLimits = .kinesis,
        firehose: DeliveryStreamConfiguration = DeliveryStreamConfiguration(), processor: (any RecordProcessor)? = nil, durable: Bool = false,
        cacheBytes: Int = KinesisStream.defaultCacheBytes, reshards: [Reshard] = [], plausibility: Plausibility = .standard
    ) {
        self.processor = processor
        self.reshards = reshards
        self.plausibility = plausibility
        self.durable = durable
        self.cacheBytes = cacheBytes
        self.plan = plan
        self.layout = layout
        self.shards = shards
        self.shardLimits = shardLimits
        self.firehose = firehose
    }
}

/// What a whole run did, stage by stage.
public struct PipelineSummary: Sendable {
    public var simulation: SimulationSummary
    public var delivery: DeliveryMetrics
    public var merge: MergeReport
    public var replayedAtStart: MergeReport
    public var merges: Int
    public var wallSeconds: Double
    public var errors: [String]
    /// The stream's shards at the end, open and closed (more than it started with once resharded).
    public var shards: Int
    public var openShards: Int
}

/// simulator → stream → firehose → merger → history files and store, in one
/// process, on a virtual clock: a 5-minute race runs as fast as the CPU allows
/// with the same buffering and rate-limit rules as in real time.
public final class RacePipeline {
    public let configuration: PipelineConfiguration
    public let clock: VirtualClock
    public let stages: PipelineStages
    public var stream: KinesisStream { stages.stream! }
    public var store: any ResultStore { stages.store }
    public var merger: HistoryMerger { stages.merger }
    public var firehose: DeliveryStream { stages.firehose }

    public init(configuration: PipelineConfiguration) throws {
        self.configuration = configuration
        clock = VirtualClock(startMillis: configuration.plan.startMillis)
        stages = try PipelineStages(
            layout: configuration.layout, setup: configuration.durable ? .durable : .scratch, shards: configuration.shards,
            shardLimits: configuration.shardLimits, cacheBytes: configuration.cacheBytes, raceLength: configuration.plan.seconds,
            firehose: configuration.firehose, processor: configuration.processor, plausibility: configuration.plausibility, clock: clock,
            mergeWindowMillis: 200, backgroundMerges: false)
    }

    deinit {
        stages.stop()
    }

    /// Runs the plan to the end and waits until every record is merged.
    public func run(afterSecond: ((LoadProgress) -> Void)? = nil) throws -> PipelineSummary {
        let started = SystemClock.monotonicNanos()
        // Objects delivered by an earlier run that crashed before merging them.
        let replayed = try merger.replayUnmerged()
        let load = LoadRun(plan: configuration.plan, sink: stream, clock: clock)
        let raceSeconds = configuration.plan.seconds
        let reshards = configuration.reshards
        let failures = Mutex<[String]>([])
        load.afterSecond = { [firehose, stream] progress in
            firehose.pump()
            let elapsed = progress.race * raceSeconds + progress.second  // races from 0, seconds from 1
            for reshard in reshards where reshard.second == elapsed {
                do {
                    _ = try stream.updateShardCount(reshard.shards)
                } catch {
                    failures.withLock { $0.append("reshard to \(reshard.shards) after second \(elapsed): \(error)") }
                }
            }
            afterSecond?(progress)
        }
        let simulation = load.run()
        let errors = failures.withLock { $0 } + stages.flush()
        return PipelineSummary(
            simulation: simulation, delivery: firehose.metrics, merge: merger.totals, replayedAtStart: replayed,
            merges: stages.mergeCount, wallSeconds: Double(SystemClock.monotonicNanos() - started) / 1e9, errors: errors,
            shards: stream.shardCount, openShards: stream.openShardCount)
    }
}
