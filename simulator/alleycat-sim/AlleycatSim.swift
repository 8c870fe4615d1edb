import AWSClient
import ArgumentParser
import Foundation
import KinesisClient
import KinesisStream
import MQTT
import RaceModel
import SigV4
import Simulator

@main
struct AlleycatSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alleycat-sim",
        abstract: "Simulate riders racing and put their messages into an Alleycat stream.",
        discussion: """
            Every rider sends one message per second of the race. Riders are deterministic: \
            the same --seed gives the same messages, byte for byte (with the same --start).

            Examples:
              alleycat-sim --racers 1000 --speed max
              alleycat-sim --racers 200 --class 1 --class 3 --seconds 60 --shards 4 --partition-key class
              alleycat-sim --endpoint http://127.0.0.1:8080 --api-key AC... --racers 1000
              AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_REGION=eu-west-1 \\
                alleycat-sim --endpoint https://kinesis.eu-west-1.amazonaws.com --stream race --racers 1000
              alleycat-sim --mqtt mqtt://127.0.0.1:1883 --racers 1000 --connections 1000

            Without --endpoint the records go into a stream in this process (--shards, \
            --records-per-shard-second). With --endpoint they go over HTTP to a Kinesis-compatible \
            service such as `alleycat serve`, as PutRecords calls on --connections keep-alive \
            connections. Each call carries --api-key (or the ALLEYCAT_API_KEY environment variable) \
            as x-api-key; without one, it is signed with SigV4 as the AWS SDKs sign, with the \
            credentials of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) for the \
            region of AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1): Amazon Kinesis, moto's \
            server, or `alleycat serve` with a key's id and secret (`alleycat keys create` makes both).

            With --mqtt the messages go to an MQTT broker (such as Mosquitto, which `alleycat serve \
            --mqtt` reads) as PUBLISHes on --mqtt-topic, from --connections client connections (as \
            many as riders: one per bike), at --mqtt-qos 1 (each acknowledged by the broker) or 0. The \
            run also subscribes to --mqtt-results-topic and reports the time from each publish to the \
            results that include it arriving there.
            """)

    @OptionGroup var simulation: SimulationOptions

    @Option(help: "Shards in the stream.")
    var shards = 1

    @Option(help: "realtime, max (virtual time, as fast as the CPU allows) or a factor such as 10.")
    var speed = "realtime"

    @Option(help: "burst (each second's messages all at its start: every bike in step, the worst case) or spread (batch i of n at i/n of the second, as unsynchronised bikes send).")
    var pacing: Pacing = .burst

    @Option(name: .customLong("records-per-shard-second"), help: "Shard write limit, records per second.")
    var recordsPerShardSecond = ShardLimits.kinesis.recordsPerSecond

    @Option(help: "URL of a Kinesis-compatible service to send to, such as http://127.0.0.1:8080 (default: a stream in this process).")
    var endpoint: String?

    @Option(name: .customLong("api-key"), help: "API key for --endpoint, sent as x-api-key (default: $ALLEYCAT_API_KEY; without either, calls are signed with SigV4 by $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY).")
    var apiKey: String?

    @Option(help: "With --endpoint: PutRecords calls in flight at once, each on its own connection. With --mqtt: client connections to the broker, riders shared among them (as many as riders: one per bike).")
    var connections = 4

    @Option(help: "With --endpoint: the stream's name.")
    var stream = KinesisStream.defaultName

    @Option(name: .customLong("protocol"), help: "With --endpoint: json (the Kinesis JSON protocol, as boto3 and most SDKs send) or cbor (application/x-amz-cbor-1.1, as the Java SDK and the KCL send).")
    var wireProtocol = "json"

    @OptionGroup var mqtt: MQTTOptions

    @Flag(help: "Print the summary as one JSON object instead of text.")
    var json = false

    func validate() throws {
        _ = try parsedSpeed()
        if shards < 1 || shards > 1024 { throw ValidationError("--shards must be 1 to 1024, got \(shards)") }
        if recordsPerShardSecond < 1 { throw ValidationError("--records-per-shard-second must be at least 1") }
        if mqtt.url == nil, connections < 1 || connections > 256 { throw ValidationError("--connections must be 1 to 256, got \(connections)") }
        if mqtt.url != nil {
            if endpoint != nil { throw ValidationError("--mqtt and --endpoint both say where the messages go: give one") }
            if connections < 1 || connections > 100_000 { throw ValidationError("--connections must be 1 to 100000 with --mqtt, got \(connections)") }
        }
        if wireProtocol != "json" && wireProtocol != "cbor" { throw ValidationError("--protocol must be json or cbor, got '\(wireProtocol)'") }
        if let endpoint {
            guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ValidationError("--endpoint must be a URL such as http://127.0.0.1:8080, got '\(endpoint)'")
            }
            _ = try authentication()
        }
    }

    /// `--api-key` or ALLEYCAT_API_KEY as x-api-key, else SigV4 with the AWS variables.
    func authentication() throws -> HTTPRecordSink.Authentication {
        let environment = ProcessInfo.processInfo.environment
        if let key = apiKey ?? environment["ALLEYCAT_API_KEY"].flatMap({ $0.isEmpty ? nil : $0 }) { return .apiKey(key) }
        do throws(AWSConfigurationError) {
            let aws = try AWSConfiguration(environment: environment)
            return .sigV4(SigV4Signer(credentials: aws.credentials, region: aws.region, service: "kinesis"))
        } catch .missingCredentials {
            throw ValidationError(
                "--endpoint needs an API key or AWS credentials: pass --api-key or set ALLEYCAT_API_KEY ('alleycat keys create' makes one), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials) to sign with SigV4")
        } catch {
            throw ValidationError("\(error)")
        }
    }

    enum Speed { case max, factor(Double) }

    func parsedSpeed() throws -> Speed {
        switch speed {
        case "max": return .max
        case "realtime": return .factor(1)
        default:
            guard let factor = Double(speed), factor > 0, factor.isFinite else {
                throw ValidationError("--speed must be realtime, max or a positive factor such as 10, got '\(speed)'")
            }
            return .factor(factor)
        }
    }

    func run() throws {
        MemoryTuning.configure()
        let plan = try simulation.plan()
        let clock: any EpochClock
        switch try parsedSpeed() {
        case .max: clock = VirtualClock(startMillis: plan.startMillis)
        case let .factor(factor): clock = SystemClock(startMillis: plan.startMillis, factor: factor)
        }
        let run: LoadRun
        let target: String
        var mqttSink: MQTTRecordSink?
        if let url = mqtt.broker {
            let session = "alleycat-sim-\(getpid())"
            let watch = try MQTTResultsWatch(url: url, topic: mqtt.resultsTopic, clientId: "\(session)-results", trustRootsFile: mqtt.caFile)
            let sink = try MQTTRecordSink(
                url: url, topic: mqtt.topic, qos: mqtt.qosLevel, connections: min(connections, plan.racers),
                clientIdPrefix: session, trustRootsFile: mqtt.caFile, watch: watch)
            do {
                watch.client.start()
                try watch.client.connected(timeoutMillis: 10_000).wait()
                try sink.connect()
            } catch {
                throw ValidationError("\(error)")
            }
            mqttSink = sink
            // Publishes wait for the broker on real time, whatever the race clock does.
            run = LoadRun(plan: plan, sink: sink, clock: clock, connections: min(connections, 16), pacing: pacing, backoffClock: SystemClock())
            target = "to the MQTT broker at \(url) topic '\(mqtt.topic)' on \(sink.clients.count) connection(s) at QoS \(mqtt.qos)"
        } else if let endpoint {
            let authentication = try authentication()
            let sink = HTTPRecordSink(
                endpoint: endpoint, authentication: authentication, streamName: stream, connections: connections,
                format: wireProtocol == "cbor" ? .cbor : .json)
            let shardCount: Int
            do {
                shardCount = try sink.describeStream()
            } catch {
                throw ValidationError("\(endpoint) refused DescribeStreamSummary for stream '\(stream)': \(error)")
            }
            // Throttling by the endpoint runs on real time, whatever the race clock does.
            run = LoadRun(plan: plan, sink: sink, clock: clock, connections: connections, pacing: pacing, backoffClock: SystemClock())
            let signed: String
            switch authentication {
            case .apiKey: signed = "with an API key"
            case let .sigV4(signer): signed = "signed with SigV4 as \(signer.credentials.accessKeyId) in \(signer.region)"
            }
            target = "to \(endpoint) stream '\(stream)' (\(shardCount) shard(s)) on \(connections) connection(s) in \(wireProtocol == "cbor" ? "CBOR" : "JSON") \(signed)"
        } else {
            let stream = KinesisStream(
                shardCount: shards, limits: ShardLimits(recordsPerSecond: recordsPerShardSecond), clock: clock)
            run = LoadRun(plan: plan, sink: stream, clock: clock, pacing: pacing)
            target = "into stream '\(stream.name)' with \(shards) shard(s)"
        }
        if !json {
            print("alleycat-sim: \(plan.racers) riders, classes \(plan.classes.map(String.init).joined(separator: ",")), \(plan.races) race(s) of \(plan.seconds) s, seed \(plan.seed), \(target), speed \(speed)")
            let progress = ProgressReporter(label: "racing")
            run.afterSecond = { progress.update($0) }
        }
        var summary = run.run()
        if let mqttSink, let watch = mqttSink.watch {
            // The last second's results come after its messages: wait for them (up to 5 s).
            let deadline = SystemClock.monotonicNanos() + 5_000_000_000
            while watch.figures.untimed > 0, SystemClock.monotonicNanos() < deadline { usleep(10_000) }
            summary.results = watch.figures
            summary.putName = "MQTT publish batches"
            mqttSink.close()
            try? watch.client.stop().wait()
        }
        print(json ? summary.json() : summary.report())
        if summary.lost > 0 { throw ExitCode(2) }
    }
}

extension Pacing: ExpressibleByArgument {}
