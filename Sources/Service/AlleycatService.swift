#if canImport(Glibc)
import Glibc
#endif
import Firehose
import Foundation
import Hummingbird
import HummingbirdWebSocket
import KinesisStream
import Leaderboard
import Logging
import Pipeline
import RaceModel
import RaceStore
import Rankings
import Simulator
import Storage
import Synchronization

/// The whole backend in one process on the wall clock: stream, firehose, merger,
/// ranking engine and the HTTP service over them (`alleycat serve`).
public final class AlleycatService: Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var layout = DataLayout()
        public var shards = 1
        public var raceLength = RaceSchedule.defaultRaceLength
        /// How often the ranking consumer reads the stream (an idle read costs microseconds).
        public var rankingInterval: Duration = .milliseconds(5)
        /// Records of a second that arrive after its update are published this long after they came.
        public var latePublishMillis: Int64 = 20
        /// Objects delivered within this window are merged together (each merge rewrites the
        /// history files and commits once, so under heavy load fewer, larger merges keep up).
        public var mergeWindowMillis = 5000
        /// How often the firehose reads the stream.
        public var firehoseInterval: Duration = .milliseconds(50)
        public var firehose = DeliveryStreamConfiguration()

        public init() {}
    }

    public let configuration: Configuration
    public let clock: any EpochClock
    public let stream: KinesisStream
    public let store: RaceStore
    public let merger: HistoryMerger
    public let firehose: DeliveryStream
    public let rankings: RankingEngine
    public let hub: LiveHub
    public let metrics: ServiceMetrics
    private let rankingConsumer: RankingConsumer
    private let queue: MergeQueue
    private let historyBucket: Bucket
    private let delays = Mutex<[Int64]>([])
    private let lastMerges = Mutex(0)
    private let pumping = Mutex(false)

    public init(configuration: Configuration, clock: any EpochClock = SystemClock()) throws {
        self.configuration = configuration
        self.clock = clock
        let layout = configuration.layout
        stream = KinesisStream(shardCount: configuration.shards, clock: clock)
        let deliveryBucket = Bucket(name: "delivery", directory: layout.deliveryDirectory)
        historyBucket = Bucket(name: "history", directory: layout.historyDirectory)
        store = try RaceStore(path: layout.storePath)
        let rules = RecordRules(raceLength: configuration.raceLength)
        let merger = try HistoryMerger(deliveryBucket: deliveryBucket, historyBucket: historyBucket, store: store, rules: rules)
        self.merger = merger
        queue = MergeQueue(merger: merger, coalesceMillis: configuration.mergeWindowMillis, background: true)
        queue.subscribe()
        // The stream lives in memory: a new process starts a new stream, so an old position means nothing.
        try? FileManager.default.removeItem(atPath: layout.deliveryDirectory + "/.checkpoints")
        firehose = try DeliveryStream(
            configuration: configuration.firehose, stream: stream, processor: AlleycatProcessor(rules: rules),
            bucket: deliveryBucket, clock: clock)
        rankings = RankingEngine(raceLength: configuration.raceLength, history: { merger.table(classId: $0) })
        rankingConsumer = try RankingConsumer(stream: stream, engine: rankings)
        hub = LiveHub(rankings: rankings)
        metrics = ServiceMetrics()
        try merger.replayUnmerged()
    }

    /// Reads the stream once for the firehose (delivery to the merger).
    public func pumpFirehose() {
        let before = firehose.metrics
        firehose.pump()
        let after = firehose.metrics
        metrics.recordsIn.increment(by: Int64(after.recordsIn - before.recordsIn))
        metrics.recordsDelivered.increment(by: Int64(after.delivered - before.delivered))
        metrics.recordsFailed.increment(by: Int64(after.failed - before.failed))
        let merges = queue.mergeCount
        let newMerges = lastMerges.withLock { last in
            defer { last = merges }
            return merges - last
        }
        metrics.merges.increment(by: Int64(newMerges))
    }

    /// Reads the stream once for the ranking engine and publishes its updates.
    public func pumpRankings() {
        let now = clock.nowMillis()
        let updates = rankingConsumer.pump(nowMillis: now)
            + rankings.publishPending(nowMillis: now, afterMillis: configuration.latePublishMillis)
        hub.publish(updates)
        metrics.rankingUpdates.increment(by: Int64(updates.count))
        let published = clock.nowMillis()
        let measured = updates.map { max(0, published - $0.earliestArrivalMillis) }
        for delay in measured { metrics.publishDelay.record(.milliseconds(delay)) }
        delays.withLock { delays in
            if delays.count < 1_000_000 { delays.append(contentsOf: measured) }
        }
    }

    /// Both consumers, once.
    public func pump() {
        pumpFirehose()
        pumpRankings()
    }

    /// Publish delays so far (accepted by the stream → ranking published), in clock milliseconds.
    public func publishDelays() -> [Int64] {
        delays.withLock { $0 }
    }

    /// Delivers what is buffered and waits until it is merged.
    public func flush() {
        firehose.pump()
        firehose.flush()
        queue.drain()
    }

    /// The HTTP application (also used by the tests through HummingbirdTesting).
    public func application(logger: Logger = Logger(label: "alleycat")) -> some ApplicationProtocol {
        let routes = ServiceRoutes(store: store, historyBucket: historyBucket, rankings: rankings, hub: hub, metrics: metrics)
        let router = routes.router()
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "alleycat"),
            logger: logger)
    }

    /// Starts both consumers on threads of their own (their work is synchronous and must
    /// not hold up the cooperative pool): rankings every `rankingInterval` at a raised
    /// scheduling priority (nice -5, which needs root or CAP_SYS_NICE; otherwise it stays
    /// at 0), and the firehose, batch work whose latency is its buffering interval, at nice 5.
    public func startPumps() {
        pumping.withLock { $0 = true }
        Self.startLoop(name: "alleycat rankings", every: configuration.rankingInterval, nice: -5, while: { [self] in isPumping }) { [self] in
            pumpRankings()
        }
        Self.startLoop(name: "alleycat firehose", every: configuration.firehoseInterval, nice: 5, while: { [self] in isPumping }) { [self] in
            pumpFirehose()
        }
    }

    public func stopPumps() {
        pumping.withLock { $0 = false }
    }

    private var isPumping: Bool { pumping.withLock { $0 } }

    private static func startLoop(
        name: String, every interval: Duration, nice: Int32, while running: @escaping @Sendable () -> Bool,
        _ body: @escaping @Sendable () -> Void
    ) {
        let thread = Thread {
            #if os(Linux)
            if nice != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) }  // 0: this thread, on Linux
            #endif
            let micros = UInt32(interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000)
            while running() {
                body()
                usleep(micros)
            }
        }
        thread.name = name
        thread.start()
    }

    public func shutdown() {
        stopPumps()
        flush()
        hub.closeAll()
        queue.stop()
    }
}
