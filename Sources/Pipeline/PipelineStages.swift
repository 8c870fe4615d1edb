import Firehose
import Foundation
import KinesisStream
import Leaderboard
import RaceModel
import RaceStore
import Storage

/// The stages every way of running Alleycat shares, wired together under one data
/// directory: stream → firehose → delivery bucket → merger (history files and store).
/// `alleycat race` drives them on a virtual clock, `alleycat serve` on the wall clock.
public final class PipelineStages: Sendable {
    public let stream: KinesisStream
    public let deliveryBucket: Bucket
    public let historyBucket: Bucket
    public let store: RaceStore
    public let merger: HistoryMerger
    public let firehose: DeliveryStream
    private let queue: MergeQueue

    public init(
        layout: DataLayout, shards: Int, shardLimits: ShardLimits = .kinesis, raceLength: Int,
        firehose: DeliveryStreamConfiguration, clock: any EpochClock, mergeWindowMillis: Int, backgroundMerges: Bool,
        durable: Bool, report: (String) -> Void = { _ in }
    ) throws {
        if durable {
            stream = try KinesisStream.durable(
                directory: layout.streamDirectory, shardCount: shards, limits: shardLimits, clock: clock, report: report)
        } else {
            stream = KinesisStream(shardCount: shards, limits: shardLimits, clock: clock)
        }
        deliveryBucket = Bucket(name: "delivery", directory: layout.deliveryDirectory)
        historyBucket = Bucket(name: "history", directory: layout.historyDirectory)
        store = try RaceStore(path: layout.storePath)
        let rules = RecordRules(raceLength: raceLength)
        merger = try HistoryMerger(deliveryBucket: deliveryBucket, historyBucket: historyBucket, store: store, rules: rules)
        queue = MergeQueue(merger: merger, coalesceMillis: mergeWindowMillis, background: backgroundMerges)
        queue.subscribe()
        self.firehose = try DeliveryStream(
            configuration: firehose, stream: stream, processor: AlleycatProcessor(rules: rules),
            bucket: deliveryBucket, clock: clock)
    }

    /// Merges done so far (each may hold several objects).
    public var mergeCount: Int { queue.mergeCount }

    /// Delivers what the firehose holds and waits until every object is merged; returns merge errors.
    @discardableResult
    public func flush() -> [String] {
        firehose.pump()
        firehose.flush()
        return queue.drain()
    }

    public func stop() {
        queue.stop()
    }
}
