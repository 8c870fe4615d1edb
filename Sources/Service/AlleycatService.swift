#if canImport(Glibc)
import Glibc
#endif
import Firehose
import Foundation
import Hummingbird
import HummingbirdHTTP2
import HummingbirdCore
import KinesisAPI
import NIOPosix
import HummingbirdWebSocket
import KinesisStream
import Leaderboard
import Logging
import MQTT
import Pipeline
import RaceModel
import RaceStore
import Rankings
import Storage
import StreamReading
import Synchronization

/// The whole backend in one process on the wall clock: stream, firehose, merger,
/// ranking engine and the HTTP service over them (`alleycat serve`).
public final class AlleycatService: Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var layout = DataLayout()
        /// The stream the pipeline reads (`--stream`), made at start when missing.
        public var streamName = KinesisStream.defaultName
        public var shards = 1
        public var shardLimits = ShardLimits.kinesis
        public var raceLength = RaceSchedule.defaultRaceLength
        /// How often the ranking consumer reads the stream (an idle read costs microseconds).
        public var rankingInterval: Duration = .milliseconds(2)
        /// Records of a second that arrive after its update are published this long after they came.
        public var latePublishMillis: Int64 = 10
        /// Objects delivered within this window are merged together (each merge rewrites the
        /// history files and commits once, so under heavy load fewer, larger merges keep up).
        public var mergeWindowMillis = 5000
        /// How often the firehose reads the stream.
        public var firehoseInterval: Duration = .milliseconds(50)
        public var firehose = DeliveryStreamConfiguration()
        /// The limits records are screened with (firehose, merger, rankings).
        public var plausibility = Plausibility.standard
        /// The firehose's transform (`--processor-command`, `--processor-lambda`; nil: the built-in one).
        public var processor: (any RecordProcessor)?
        /// Keep the stream in a synced segment log under `layout.streamDirectory`, so what
        /// was acknowledged survives a crash (`alleycat serve` does unless `--in-memory`).
        public var durable = false
        /// The newest stream log bytes kept in memory (`--stream-cache-mb`).
        public var cacheBytes = KinesisStream.defaultCacheBytes
        /// The stream log rolls to a new segment file at this size.
        public var segmentBytes = KinesisStream.defaultSegmentBytes
        /// Connection limits and timeouts of the HTTP listener.
        public var connections = ConnectionLimits()
        /// How long a SubscribeToShard subscription lasts (Kinesis: 5 minutes; tests make it 0, one event).
        public var subscriptionMillis = KinesisAPI.defaultSubscriptionMillis
        /// Take messages from an MQTT broker into the stream and publish results back (`--mqtt`).
        public var mqtt: MQTTIngest.Configuration?
        /// The topic results go out on (`--mqtt-results-topic`; also TOPIC/class/N).
        public var mqttResultsTopic = "alleycat-subscribe"
        /// Riders per class in each results message.
        public var mqttResultsLimit = 10
        /// Where the merger also folds its history files (`--history s3://...`).
        public var historyMirror: (any HistoryMirror)?
        /// Read a stream somewhere else instead of hosting one (`--source`).
        public var remoteSource: (source: any StreamSource, checkpoints: any CheckpointStore, leases: (any CheckpointStore & ShardAssignment)?)?
        /// The results store (`--store postgres://…`); nil: SQLite in the data folder.
        public var store: (any ResultStore)?
        /// Where every delivered object is also put before it counts as delivered (`--delivery s3://…`).
        public var deliveryReplica: (any BucketReplica)?

        public init() {}
    }

    public let configuration: Configuration
    public let clock: any EpochClock
    public let stages: PipelineStages
    /// The embedded stream (nil when the service reads a remote source).
    public var stream: KinesisStream? { stages.stream }
    public var store: any ResultStore { stages.store }
    public var merger: HistoryMerger { stages.merger }
    public var firehose: DeliveryStream { stages.firehose }
    public let rankings: RankingEngine
    public let hub: LiveHub
    public let metrics: ServiceMetrics
    /// The Kinesis-compatible ingest API (POST /) and who may use it (nil over a remote source).
    /// The Kinesis API over every hosted stream (nil when the pipeline reads a remote one).
    public let kinesis: KinesisStreams?
    public let keyRing: APIKeyRing
    /// Bikes over MQTT into the stream (nil without `--mqtt`), and the results published back.
    public let mqtt: MQTTIngest?
    private let mqttResults: MQTTResults?
    /// Kinesis API calls run here: enough threads that calls waiting for one fsync
    /// do not hold up the others (they share the next sync).
    private let ingestPool: NIOThreadPool
    private let rankingConsumer: RankingConsumer
    private let delays = Mutex<[Int64]>([])
    private let lastMerges = Mutex(0)
    /// Ranking records left out as implausible, already counted in /metrics.
    private let rankingImplausible = Mutex(0)
    private let pumping = Mutex(false)
    private let loops = DispatchGroup()
    private let connectionCounter = ConnectionCounter()
    private let lastTrim = Mutex(SystemClock.monotonicNanos())

    public init(configuration: Configuration, clock: any EpochClock = SystemClock()) throws {
        self.configuration = configuration
        self.clock = clock
        let setup: PipelineStages.StreamSetup = configuration.remoteSource.map { .remote($0.source, checkpoints: $0.checkpoints, leases: $0.leases) }
            ?? (configuration.durable ? .durable : .scratch)
        stages = try PipelineStages(
            layout: configuration.layout, setup: setup, streamName: configuration.streamName, shards: configuration.shards,
            shardLimits: configuration.shardLimits,
            cacheBytes: configuration.cacheBytes, segmentBytes: configuration.segmentBytes, raceLength: configuration.raceLength, firehose: configuration.firehose,
            processor: configuration.processor, plausibility: configuration.plausibility, clock: clock,
            mergeWindowMillis: configuration.mergeWindowMillis, backgroundMerges: true, historyMirror: configuration.historyMirror,
            store: configuration.store, deliveryReplica: configuration.deliveryReplica, report: { print($0) })
        let merger = stages.merger
        rankings = RankingEngine(
            raceLength: configuration.raceLength, plausibility: configuration.plausibility, history: { merger.table(classId: $0) })
        // The ranking consumer starts a race's length back, so after a restart the current
        // race is ranked again from the stream (a new scratch stream has nothing there).
        let since = clock.nowMillis() - Int64(configuration.raceLength + 10) * 1000
        rankingConsumer = try RankingConsumer(
            source: stages.source, checkpoints: stages.checkpoints, engine: rankings, start: .atTimestamp(millis: since),
            now: { clock.nowMillis() })
        hub = LiveHub(rankings: rankings)
        metrics = ServiceMetrics()
        // The stream's tags and fan-out consumers live beside a durable stream's log; a scratch stream's go with it.
        let kept = configuration.durable ? configuration.layout.streamDirectory : nil
        // Streams made over the API, each in a folder of its own (scratch ones beside the data folder's).
        let layout = configuration.layout
        let limits = configuration.shardLimits
        let cacheBytes = configuration.cacheBytes
        let segmentBytes = configuration.segmentBytes
        let open: KinesisStreams.Opener = { name, shards, folder in
            if let folder {
                return try KinesisStream.durable(
                    directory: folder, name: name, shardCount: shards, limits: limits, segmentBytes: segmentBytes, cacheBytes: cacheBytes, clock: clock)
            }
            return try KinesisStream(
                scratchIn: layout.directory, name: name, shardCount: shards, limits: limits, segmentBytes: segmentBytes, cacheBytes: cacheBytes, clock: clock)
        }
        do {
            kinesis = try stages.stream.map { stream in
                let primary = try KinesisAPI(
                    stream: stream, createdMillis: clock.nowMillis(), tagsPath: kept.map { $0 + "/tags.json" },
                    consumersPath: kept.map { $0 + "/consumers.json" }, subscriptionMillis: configuration.subscriptionMillis,
                    modePath: kept.map { $0 + "/mode" })
                return try KinesisStreams(
                    primary: primary, directory: configuration.durable ? layout.streamsDirectory : nil,
                    subscriptionMillis: configuration.subscriptionMillis, open: open)
            }
        } catch let error as KinesisAPIError {
            throw StartError(error.message)
        } catch {
            throw StartError("the streams made over the API could not be opened: \(error)")
        }
        do throws(APISecretSeal.Failure) {
            keyRing = APIKeyRing(store: stages.store, seal: try APISecretSeal(keyFile: configuration.layout.secretKeyPath), clock: clock)
        } catch {
            throw StartError(error.description)
        }
        if let settings = configuration.mqtt {
            guard let stream = stages.stream else {
                throw StartError("--mqtt puts messages into this service's own stream, and with --source it has none: point the broker's bikes at the source")
            }
            do throws(MQTTClientError) {
                let ingest = try MQTTIngest(configuration: settings, stream: stream, clock: clock)
                mqtt = ingest
                mqttResults = MQTTResults(client: ingest.client, topic: configuration.mqttResultsTopic, limit: configuration.mqttResultsLimit)
            } catch {
                throw StartError(error.description)
            }
        } else {
            mqtt = nil
            mqttResults = nil
        }
        ingestPool = NIOThreadPool(numberOfThreads: 8)
        ingestPool.start()
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
        metrics.recordsImplausible.increment(by: Int64(after.implausible - before.implausible))
        let merges = stages.mergeCount
        let newMerges = lastMerges.withLock { last in
            defer { last = merges }
            return merges - last
        }
        metrics.merges.increment(by: Int64(newMerges))
        var failures = ["firehose": firehose.health.totalFailures, "merger": stages.mergeHealth.totalFailures]
        if let stream { failures["stream"] = stream.storageHealth.totalFailures }
        metrics.record(health(), failures: failures)
        if let mqtt { metrics.record(mqtt: mqtt.counts) }
        let now = SystemClock.monotonicNanos()
        let trimDue = lastTrim.withLock { last in
            guard now - last >= 30_000_000_000 else { return false }
            last = now
            return true
        }
        if trimDue { MemoryTuning.giveBackFreedMemory() }
    }

    /// Reads the stream once for the ranking engine and publishes its updates.
    public func pumpRankings() {
        let now = clock.nowMillis()
        let updates = rankingConsumer.pump(nowMillis: now)
            + rankings.publishPending(nowMillis: now, afterMillis: configuration.latePublishMillis)
        hub.publish(updates)
        if let mqttResults, !updates.isEmpty {
            let dropped = mqttResults.publish(updates)
            if dropped > 0 { metrics.mqttResultsDropped.increment(by: Int64(dropped)) }
        }
        metrics.rankingUpdates.increment(by: Int64(updates.count))
        let implausible = rankings.metrics.implausible
        let newImplausible = rankingImplausible.withLock { last in
            defer { last = implausible }
            return implausible - last
        }
        if newImplausible > 0 { metrics.rankingImplausible.increment(by: Int64(newImplausible)) }
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

    /// Each stage's state (`GET /health`).
    public func health() -> ServiceHealth {
        let now = clock.nowMillis()
        var stages: [ServiceHealth.Stage] = []
        if let stream {
            stages.append(.init(name: "stream", failure: .init(stream.storageHealth, nowMillis: now, retries: false)))
        }
        let delivery = ServiceHealth.Failure(firehose.health, nowMillis: now, retries: true)
            ?? firehose.readError.map { ServiceHealth.Failure(error: "cannot read the stream: \($0)") }
        stages.append(.init(name: "firehose", failure: delivery))
        stages.append(.init(name: "merger", failure: .init(self.stages.mergeHealth, nowMillis: now, retries: true)))
        stages.append(.init(name: "rankings", failure: rankingConsumer.readError.map { .init(error: "cannot read the stream: \($0)") }))
        return ServiceHealth(stages: stages)
    }

    /// Publish delays so far (accepted by the stream → ranking published), in clock milliseconds.
    public func publishDelays() -> [Int64] {
        delays.withLock { $0 }
    }

    /// Delivers what is buffered and waits until it is merged.
    public func flush() {
        stages.flush()
    }

    /// The HTTP application (also used by the tests through HummingbirdTesting).
    /// `onListening` gets the port the server listens on (useful with port 0).
    public func application(
        logger: Logger = Logger(label: "alleycat"), onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let routes = ServiceRoutes(
            store: store, historyBucket: stages.historyBucket, rankings: rankings, hub: hub, metrics: metrics, kinesis: kinesis,
            keyRing: keyRing, ingestPool: ingestPool, health: { [self] in health() })
        let router = routes.router()
        let webSocketResponder = router.buildResponder()
        let limits = configuration.connections
        let counter = connectionCounter
        let metrics = metrics
        let server = HTTPServerBuilder { responder in
            GuardedChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: .init()),
                limits: limits, counter: counter, refused: { metrics.refusedConnection(reason: $0).increment() })
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "alleycat"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// The same routes over HTTP/2 without TLS (h2c with prior knowledge) on `port`, for
    /// clients that want HTTP/2, SubscribeToShard's (the Java SDK v2, KCL 2.x) above all.
    /// WebSocket upgrades and the HTTP/1 connection guard are not on this listener.
    public func http2Application(
        port: Int, logger: Logger = Logger(label: "alleycat-h2"), onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let routes = ServiceRoutes(
            store: store, historyBucket: stages.historyBucket, rankings: rankings, hub: hub, metrics: metrics, kinesis: kinesis,
            keyRing: keyRing, ingestPool: ingestPool, health: { [self] in health() })
        return Application(
            router: routes.router(),
            server: .plaintextHTTP2(),
            configuration: .init(address: .hostname(configuration.host, port: port), serverName: "alleycat"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Starts both consumers on threads of their own (their work is synchronous and must
    /// not hold up the cooperative pool): rankings every `rankingInterval` at a raised
    /// scheduling priority (nice -5, which needs root or CAP_SYS_NICE; otherwise it stays
    /// at 0), and the firehose, batch work whose latency is its buffering interval, at nice 5.
    public func startPumps() {
        pumping.withLock { $0 = true }
        mqtt?.start()
        Self.startLoop(
            name: "alleycat rankings", every: configuration.rankingInterval, nice: -5, group: loops, while: { [self] in isPumping }
        ) { [self] in
            pumpRankings()
        }
        Self.startLoop(
            name: "alleycat firehose", every: configuration.firehoseInterval, nice: 5, group: loops, while: { [self] in isPumping }
        ) { [self] in
            pumpFirehose()
        }
    }

    /// Stops both loops and returns once their last pass is over (a pump running
    /// beside `flush()` would share the firehose's buffers).
    public func stopPumps() {
        pumping.withLock { $0 = false }
        loops.wait()
    }

    private var isPumping: Bool { pumping.withLock { $0 } }

    private static func startLoop(
        name: String, every interval: Duration, nice: Int32, group: DispatchGroup, while running: @escaping @Sendable () -> Bool,
        _ body: @escaping @Sendable () -> Void
    ) {
        group.enter()
        let thread = Thread {
            defer { group.leave() }
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
        mqtt?.stop()
        stopPumps()
        flush()
        hub.closeAll()
        stages.stop()
        try? ingestPool.syncShutdownGracefully()
    }
}
