import ArgumentParser
import Foundation
import Hummingbird
import KinesisStream
import Leases
import S3Storage
import Pipeline
import RaceModel
import Service
import Simulator
import Synchronization

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the backend as a service: stream, firehose, merger, rankings, HTTP and WebSocket.",
        discussion: """
            Serves the dashboard at http://HOST:PORT/, the JSON API (/races, /leaderboard, \
            /races/{id}/results, /rankings, /history/class-N.gz, /health, /metrics) and live \
            rankings on the /live WebSocket. Producers put records with the Kinesis Data Streams \
            JSON API at POST / (PutRecord, PutRecords, ListShards, ListStreams, DescribeStream, the tag and retention actions, \
            DescribeStreamSummary, DescribeLimits, GetShardIterator, GetRecords) with an API key from `alleycat keys create`, for example \
            `alleycat-sim --endpoint http://127.0.0.1:8080 --api-key KEY`. The stream is durable: \
            accepted records are in a segment log under DATA/stream before they are acknowledged, \
            and a restart (even after a crash) continues from it (--in-memory: the same log without \
            fsync, in a scratch folder removed at the end). Memory holds an index and the newest \
            --stream-cache-mb of the log; older records are read from its files. \
            With --source URL the service hosts no stream: the firehose, merger and rankings read \
            the Kinesis stream at URL (Amazon Kinesis, moto, or another `alleycat serve`), signed \
            with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for an alleycat node: an API key and \
            its secret, from `alleycat keys create`) in AWS_REGION, and keep their positions in DATA/checkpoints. With \
            --simulate-racers the service also races simulated riders into it in real time (or \
            --speed times faster). With --mqtt URL it also takes bikes' messages from an MQTT broker \
            (Mosquitto) on --mqtt-topic into the stream, as the original's IoT topic rule did, each \
            acknowledged to the broker only once the stream has it, and publishes every second's \
            results back on --mqtt-results-topic. One process at a time runs on a data folder (a lock on \
            DATA/alleycat.lock): a second `serve` or `race` there refuses, naming the first. \
            Connections are limited (--max-connections, with --reserve-connections kept for /health \
            and /metrics) and timed (--idle-timeout, --header-timeout, --body-timeout); malformed \
            HTTP is answered 400 with a JSON reason and the connection closed. A delivery or merge \
            that fails is retried with backoff (1 s doubling to 30 s) and /health answers 503 \
            naming the stage until it recovers. The firehose transforms with the built-in processor, \
            or with --processor-command CMD or --processor-lambda FILE[:HANDLER] (an unchanged Lambda \
            handler, .js under node or .py under python3). Ctrl-C or SIGTERM delivers and merges what is \
            buffered, then stops (a simulation stops with it).
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port, printed once listening).")
    var port = 8080

    @Option(name: .customLong("data"), help: "Data directory.")
    var directory = "data"

    @Option(name: .customLong("http2-port"), help: "Also serve the routes over HTTP/2 without TLS (h2c, prior knowledge) on this port (0: any free one), for clients that want HTTP/2 for SubscribeToShard (the Java SDK v2, KCL 2.x). Off unless given.")
    var http2Port: Int?

    @Option(help: "The stream the pipeline reads, made at start when missing (others can be made over the API with CreateStream).")
    var stream = KinesisStream.defaultName

    @Option(help: "Shards in the stream (each takes 1,000 records a second).")
    var shards = 1

    @Option(name: .customLong("records-per-shard-second"), help: "Shard write limit, records per second (Kinesis: 1,000).")
    var recordsPerShardSecond = ShardLimits.kinesis.recordsPerSecond

    @Option(name: .customLong("simulate-racers"), help: "Race this many simulated riders into the stream (0: none).")
    var simulateRacers = 0

    @Option(name: .customLong("simulate-class"), help: "Classes of the simulated riders (default: all six).")
    var simulateClasses: [String] = []

    @Option(name: .customLong("simulate-seconds"), help: "Race length of the simulated races.")
    var simulateSeconds = RaceSchedule.defaultRaceLength

    @Option(name: .customLong("simulate-races"), help: "Number of simulated races.")
    var simulateRaces = 1

    @Option(help: "Speed of the simulated races: realtime or a factor such as 10.")
    var speed = "realtime"

    @Option(name: .customLong("simulate-pacing"), help: "spread (batch i of n at i/n of each second, as unsynchronised bikes send) or burst (each second's messages all at its start: the worst case).")
    var simulatePacing: Pacing = .spread

    @Option(help: "Seed of the simulated riders.")
    var seed: UInt64 = 1

    @Flag(name: .customLong("in-memory"), help: "Keep no stream across restarts: the segment log is written without fsync in a scratch folder under DATA, removed at the end. By default it is durable: accepted records are in a segment log under DATA/stream, fsynced before they are acknowledged, and a restart continues from it.")
    var inMemory = false

    @Option(name: .customLong("stream-cache-mb"), help: "MiB of the newest stream log kept in memory for readers at the tail (older records are read from the files).")
    var streamCacheMB = KinesisStream.defaultCacheBytes >> 20

    @Option(name: .customLong("stream-segment-kb"), help: "KiB at which the stream log starts a new segment file (retention deletes whole segments).")
    var streamSegmentKB = KinesisStream.defaultSegmentBytes >> 10

    @Option(help: "Read this Kinesis endpoint's stream instead of hosting one, for example http://127.0.0.1:8080 (another alleycat serve) or https://kinesis.eu-west-1.amazonaws.com.")
    var source: String?

    @Option(name: .customLong("source-stream"), help: "The stream to read at --source.")
    var sourceStream = KinesisStream.defaultName

    @Option(name: .customLong("lease-table"), help: "With --source: share the stream's shards with other workers through KCL-style leases in this DynamoDB table (made when missing; AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL, else DynamoDB in AWS_REGION). The firehose reads only the shards this worker leases, its positions kept in the leases; rankings read every shard.")
    var leaseTable: String?

    @Option(name: .customLong("worker-id"), help: "With --lease-table: this worker's name in the leases (default HOST-PID).")
    var workerId: String?

    @Option(name: .customLong("history"), help: "Also fold the history files into s3://BUCKET/PREFIX after every merge, with conditional writes, so workers that share a stream (--lease-table) build one set of files there (AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else S3 in AWS_REGION; the bucket must exist).")
    var history: String?

    @Option(name: .customLong("max-connections"), help: "HTTP connections served at once. Beyond them, --reserve-connections more may ask only for /health and /metrics; past those a new connection is answered 503 and closed.")
    var maxConnections = ConnectionLimits().maxConnections

    @Option(name: .customLong("reserve-connections"), help: "Connections kept for /health and /metrics once --max-connections are open (each gets 2 s).")
    var reserveConnections = ConnectionLimits().reserveConnections

    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection with no request open is kept.")
    var idleTimeout = 60.0

    @Option(name: .customLong("header-timeout"), help: "Seconds from a request's first byte to the end of its headers (then 408 and closed).")
    var headerTimeout = 10.0

    @Option(name: .customLong("body-timeout"), help: "Seconds from the end of a request's headers to the end of its body (then 408 and closed).")
    var bodyTimeout = 30.0

    @OptionGroup var limits: LimitsOption

    @OptionGroup var mqtt: MQTTOptions

    @Option(name: .customLong("mqtt-client-id"), help: "With --mqtt: the service's session name at the broker (keep it across restarts: the broker holds the session's messages under it).")
    var mqttClientId = "alleycat-ingest"

    @Option(name: .customLong("mqtt-partition-key"), help: "With --mqtt: time (the arrival time in ms, as the original rule's timestamp()) or racer (the message's racerId).")
    var mqttPartitionKey: MQTTIngest.PartitionKeyRule = .time

    @Option(name: .customLong("mqtt-results-limit"), help: "With --mqtt: riders per class in each results message, leaders first.")
    var mqttResultsLimit = 10

    @OptionGroup var processing: ProcessorOptions

    @Flag(name: .customLong("exit-after-simulation"), help: "Stop once the simulated races are delivered and merged.")
    var exitAfterSimulation = false

    func validate() throws {
        if shards < 1 || shards > 1024 { throw ValidationError("--shards must be 1 to 1024, got \(shards)") }
        if simulateRacers < 0 { throw ValidationError("--simulate-racers must be 0 or more") }
        if speedFactor == nil { throw ValidationError("--speed must be realtime or a positive factor such as 10, got '\(speed)'") }
        if recordsPerShardSecond < 1 { throw ValidationError("--records-per-shard-second must be at least 1") }
        if !(1...128).contains(stream.utf8.count) || !stream.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }) {
            throw ValidationError("--stream must be 1 to 128 letters, digits, '_', '.' or '-', got '\(stream)'")
        }
        if let http2Port, !(0...65535).contains(http2Port) { throw ValidationError("--http2-port must be 0 to 65535, got \(http2Port)") }
        if streamCacheMB < 0 || streamCacheMB > 1 << 20 { throw ValidationError("--stream-cache-mb must be 0 to 1048576, got \(streamCacheMB)") }
        if streamSegmentKB < 1 || streamSegmentKB > 1 << 22 { throw ValidationError("--stream-segment-kb must be 1 to 4194304, got \(streamSegmentKB)") }
        if maxConnections < 1 { throw ValidationError("--max-connections must be at least 1, got \(maxConnections)") }
        if reserveConnections < 0 { throw ValidationError("--reserve-connections must be 0 or more, got \(reserveConnections)") }
        for (name, value) in [("--idle-timeout", idleTimeout), ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout)]
        where !(value > 0 && value <= 86_400) {
            throw ValidationError("\(name) must be more than 0 and at most 86400 seconds, got \(value)")
        }
        if let source {
            guard source.hasPrefix("http://") || source.hasPrefix("https://") else {
                throw ValidationError("--source must be an http:// or https:// URL, got '\(source)'")
            }
            if simulateRacers > 0 {
                throw ValidationError("--simulate-racers puts records into this service's own stream, and with --source it has none: send them to the source with alleycat-sim --endpoint")
            }
        }
        if leaseTable != nil, source == nil {
            throw ValidationError("--lease-table shares a stream read with --source among workers; give --source URL too")
        }
        if workerId != nil, leaseTable == nil {
            throw ValidationError("--worker-id names this worker in the leases of --lease-table; give --lease-table NAME too")
        }
        if mqtt.url != nil, source != nil {
            throw ValidationError("--mqtt puts messages into this service's own stream, and with --source it has none: point the bikes at the source's broker instead")
        }
        if mqttResultsLimit < 1 { throw ValidationError("--mqtt-results-limit must be at least 1, got \(mqttResultsLimit)") }
        if simulateRacers > shards * recordsPerShardSecond {
            throw ValidationError("\(simulateRacers) riders send more than \(shards) shard(s) take (\(recordsPerShardSecond) records a second each): use --shards \((simulateRacers + recordsPerShardSecond - 1) / recordsPerShardSecond)")
        }
    }

    var speedFactor: Double? {
        if speed == "realtime" { return 1 }
        guard let factor = Double(speed), factor > 0, factor.isFinite else { return nil }
        return factor
    }

    func run() async throws {
        MemoryTuning.configure(.service)
        let started = SystemClock.realtimeMillis()
        let clock = SystemClock(startMillis: started, factor: speedFactor!)
        var configuration = AlleycatService.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.layout = DataLayout(directory: directory)
        configuration.plausibility = try limits.load(dataDirectory: directory)
        configuration.shards = shards
        configuration.streamName = stream
        configuration.shardLimits = ShardLimits(recordsPerSecond: recordsPerShardSecond)
        configuration.durable = !inMemory
        configuration.cacheBytes = streamCacheMB << 20
        configuration.segmentBytes = streamSegmentKB << 10
        configuration.connections.maxConnections = maxConnections
        configuration.connections.reserveConnections = reserveConnections
        configuration.connections.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        configuration.connections.headerTimeout = .milliseconds(Int64(headerTimeout * 1000))
        configuration.connections.bodyTimeout = .milliseconds(Int64(bodyTimeout * 1000))
        if let broker = mqtt.broker {
            var settings = MQTTIngest.Configuration(url: broker)
            settings.topic = mqtt.topic
            settings.qos = mqtt.qosLevel
            settings.clientId = mqttClientId
            settings.partitionKey = mqttPartitionKey
            settings.trustRootsFile = mqtt.caFile
            configuration.mqtt = settings
            configuration.mqttResultsTopic = mqtt.resultsTopic
            configuration.mqttResultsLimit = mqttResultsLimit
        }
        if let source {
            configuration.remoteSource = try RemoteSource.open(
                endpoint: source, stream: sourceStream, layout: configuration.layout, leaseTable: leaseTable, workerId: workerId)
        }
        let mirror = try history.map { try S3Location.mirror($0) }
        configuration.historyMirror = mirror
        configuration.raceLength = max(simulateSeconds, RaceSchedule.defaultRaceLength)
        configuration.processor = try processing.processor(streamName: source == nil ? stream : sourceStream)
        let service = try AlleycatService(configuration: configuration, clock: clock)
        let keys = (try? service.store.apiKeys().filter { !$0.isRevoked }.count) ?? 0
        let host = host
        let directory = directory
        let shards = shards
        let streamText = source.map { "reading stream '\(sourceStream)' at \($0)" }
            ?? "\(shards) shard(s) \(inMemory ? "(scratch, not kept)" : "(durable)")"
        let onListening: @Sendable (Int) -> Void = { port in
            print("alleycat serve: listening on http://\(host):\(port)/ (dashboard; Kinesis API at POST /), data in \(directory), \(streamText), \(keys) active API key(s)")
            if keys == 0 { print("no API key yet: 'alleycat keys create --name NAME --data \(directory)' makes one for ingest") }
            // Scripts and tests wait for this line on a pipe.
            fflush(nil)
        }

        service.startPumps()
        // Set when the HTTP service ends (SIGINT or SIGTERM): the simulation stops too.
        let stopping = StopFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.application(onListening: onListening).runService() }
            if let http2Port {
                group.addTask {
                    try await service.http2Application(port: http2Port) { port in
                        print("alleycat serve: HTTP/2 (h2c, prior knowledge) on http://\(host):\(port)/")
                        fflush(nil)
                    }.runService()
                }
            }
            if simulateRacers > 0 {
                let plan = try simulationPlan(startMillis: started)
                print("simulating \(plan.racers) riders, \(plan.races) race(s) of \(plan.seconds) s, speed \(speed)")
                group.addTask {
                    let summary = await Self.simulate(
                        plan: plan, pacing: simulatePacing, service: service, clock: clock, shouldStop: { stopping.isSet })
                    if stopping.isSet {
                        print("simulation stopped: \(summary.accepted) of \(summary.generated) messages accepted, \(summary.failed) failed")
                        return
                    }
                    // Let the ranking loop publish the last second before reporting.
                    try? await Task.sleep(for: .milliseconds(100))
                    service.flush()
                    print("simulation done: \(summary.accepted) of \(summary.generated) messages accepted, \(summary.failed) failed")
                    print(Self.report(service: service, plan: plan, pacing: simulatePacing, summary: summary))
                    if exitAfterSimulation { throw CancellationError() }
                }
            }
            do {
                try await group.next()
            } catch is CancellationError {}
            stopping.set()
            group.cancelAll()
        }
        Self.stop(service, mirror: mirror, history: history, command: "alleycat serve")
    }

    /// After SIGINT or SIGTERM: delivers and merges what is buffered, writes what the history
    /// mirror holds, hands the leases back, and says how it ended.
    static func stop(_ service: AlleycatService, mirror: S3HistoryMirror?, history: String?, command: String) {
        print("\(command): stopping: delivering and merging what is buffered")
        fflush(nil)
        service.shutdown()
        if let mirror, !mirror.flush() {
            print("\(command): class(es) \(mirror.pendingClasses) not written to \(history ?? ""): \(mirror.lastProblem ?? ""); the next start with --history writes them")
        }
        // Everything read is delivered now: hand the leases over, so other workers go on at once.
        if let leases = service.stages.leases as? LeasedCheckpoints {
            do {
                try leases.releaseAll()
                print("\(command): leases handed back")
            } catch {
                print("\(command): cannot hand the leases back (\(error)); other workers take them when they expire")
            }
        }
        let failing = service.health().stages.filter { $0.failure != nil }.map { "\($0.name): \($0.failure!.error)" }
        if failing.isEmpty {
            print("\(command): stopped; everything buffered is delivered and merged")
        } else {
            print("\(command): stopped with failing stages (\(failing.joined(separator: "; "))): what they held is redone at the next start")
        }
    }

    func simulationPlan(startMillis: Int64) throws -> SimulationPlan {
        let classIds = try SimulationOptions.classIds(simulateClasses, option: "--simulate-class")
        let plan = SimulationPlan(
            racers: simulateRacers, classes: classIds.isEmpty ? Array(ExerciseClass.validIds) : classIds,
            seconds: simulateSeconds, races: simulateRaces, seed: seed, startMillis: startMillis)
        if let problem = plan.problem() { throw ValidationError(problem) }
        return plan
    }

    /// One JSON line: publish delays and peak memory (scripts/bench-live.sh reads it).
    static func report(service: AlleycatService, plan: SimulationPlan, pacing: Pacing, summary: SimulationSummary) -> String {
        let delays = service.publishDelays().sorted()
        return """
            {"racers":\(plan.racers),"seconds":\(plan.seconds),"pacing":"\(pacing.rawValue)","accepted":\(summary.accepted),"lost":\(summary.lost),\
            "updates":\(delays.count),"publishDelayP50Millis":\(delays.nearestRankPercentile(50)),"publishDelayP99Millis":\(delays.nearestRankPercentile(99)),\
            "publishDelayMaxMillis":\(delays.last ?? 0),"peakMemoryMB":\(peakMemoryMB())}
            """
    }

    /// VmHWM of /proc/self/status: the process's peak resident memory.
    static func peakMemoryMB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }

    /// Runs the load on its own thread (it sleeps between seconds).
    static func simulate(
        plan: SimulationPlan, pacing: Pacing, service: AlleycatService, clock: any EpochClock, shouldStop: @escaping @Sendable () -> Bool
    ) async -> SimulationSummary {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let load = LoadRun(plan: plan, sink: service.stream!, clock: clock, pacing: pacing)
                load.shouldStop = shouldStop
                continuation.resume(returning: load.run())
            }
            thread.name = "alleycat simulator"
            thread.start()
        }
    }
}

extension Pacing: ExpressibleByArgument {}
extension MQTTIngest.PartitionKeyRule: ExpressibleByArgument {}

/// Set once, read from any thread.
final class StopFlag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
