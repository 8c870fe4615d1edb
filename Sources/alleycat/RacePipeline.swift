import Firehose
import Pipeline
import KinesisStream
import Leaderboard
import RaceModel
import RaceStore
import Simulator

public struct PipelineConfiguration: Sendable {
    public var plan: SimulationPlan
    public var layout: DataLayout
    public var shards: Int
    public var shardLimits: ShardLimits
    public var firehose: DeliveryStreamConfiguration
    /// Keep the stream in a synced segment log under `layout.streamDirectory` (else in
    /// a scratch log without fsync, removed at the end).
    public var durable: Bool
    /// The newest stream log bytes kept in memory.
    public var cacheBytes: Int

    public init(
        plan: SimulationPlan, layout: DataLayout = DataLayout(), shards: Int = 1, shardLimits: ShardLimits = .kinesis,
        firehose: DeliveryStreamConfiguration = DeliveryStreamConfiguration(), durable: Bool = false,
        cacheBytes: Int = KinesisStream.defaultCacheBytes
    ) {
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
}

/// simulator → stream → firehose → merger → history files and store, in one
/// process, on a virtual clock: a 5-minute race runs as fast as the CPU allows
/// with the same buffering and rate-limit rules as in real time.
public final class RacePipeline {
    public let configuration: PipelineConfiguration
    public let clock: VirtualClock
    public let stages: PipelineStages
    public var stream: KinesisStream { stages.stream! }
    public var store: RaceStore { stages.store }
    public var merger: HistoryMerger { stages.merger }
    public var firehose: DeliveryStream { stages.firehose }

    public init(configuration: PipelineConfiguration) throws {
        self.configuration = configuration
        clock = VirtualClock(startMillis: configuration.plan.startMillis)
        stages = try PipelineStages(
            layout: configuration.layout, setup: configuration.durable ? .durable : .scratch, shards: configuration.shards,
            shardLimits: configuration.shardLimits, cacheBytes: configuration.cacheBytes, raceLength: configuration.plan.seconds,
            firehose: configuration.firehose, clock: clock, mergeWindowMillis: 200, backgroundMerges: false)
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
        load.afterSecond = { [firehose] progress in
            firehose.pump()
            afterSecond?(progress)
        }
        let simulation = load.run()
        let errors = stages.flush()
        return PipelineSummary(
            simulation: simulation, delivery: firehose.metrics, merge: merger.totals, replayedAtStart: replayed,
            merges: stages.mergeCount, wallSeconds: Double(SystemClock.monotonicNanos() - started) / 1e9, errors: errors)
    }
}
