import ArgumentParser
import Foundation
import Pipeline
import RaceModel
import Service

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the firehose, merger and rankings over a Kinesis stream shared with other workers.",
        discussion: """
            One of any number of workers, on one machine or many, sharing a stream on Amazon \
            Kinesis Data Streams (or any Kinesis-compatible endpoint, such as `alleycat serve` or \
            moto). The workers split the stream's shards through KCL-style leases in the DynamoDB \
            table --lease-table (made by the first worker when missing); each worker's firehose \
            reads only the shards it leases and keeps its positions in their checkpoints, and a \
            worker that dies has its shards taken over within 10 s. Delivered objects go to the \
            data folder and, with --delivery, to S3 under the same keys before they count as \
            delivered. Each worker merges what it delivered into the history files (with --history, \
            into one set in S3, with conditional writes) and into the store (with --store \
            postgres://…, one database for all workers; else SQLite in the data folder). Rankings \
            (/rankings, /live) read every shard, so each worker ranks whole classes. The HTTP read \
            routes and the dashboard are served on --port. Endpoints and credentials come from the \
            standard AWS variables: AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, \
            AWS_ENDPOINT_URL, and the per-service AWS_ENDPOINT_URL_KINESIS, _S3 and _DYNAMODB. \
            Ctrl-C or SIGTERM delivers and merges what is buffered and hands the leases back.
            """)

    @Option(help: "The Kinesis stream to read.")
    var stream: String

    @Option(name: .customLong("lease-table"), help: "The DynamoDB table of the workers' leases (KCL schema; made when missing).")
    var leaseTable: String

    @Option(name: .customLong("worker-id"), help: "This worker's name in the leases (default HOST-PID). A worker restarted under its name takes its leases back at once.")
    var workerId: String?

    @Option(help: "Also put every delivered object into s3://BUCKET/PREFIX, under the same keys (the bucket must exist).")
    var delivery: String?

    @Option(help: "Fold the history files into s3://BUCKET/PREFIX after every merge, with conditional writes (the bucket must exist).")
    var history: String?

    @Option(help: "The results store: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE shared by the workers; NOT BUILT YET, refused at start (default: SQLite in the data folder).")
    var store: String?

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port of the HTTP read routes, /live and the dashboard (0: any free port, printed once listening).")
    var port = 8080

    @Option(name: .customLong("data"), help: "This worker's own folder: delivered objects, history files, rankings' positions and, without --store, the store. One worker per folder.")
    var directory = "data/worker"

    @OptionGroup var limits: LimitsOption

    @OptionGroup var processing: ProcessorOptions

    func validate() throws {
        try processing.validate()
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535, got \(port)") }
        if !(1...128).contains(stream.utf8.count) { throw ValidationError("--stream must be 1 to 128 characters, got '\(stream)'") }
        if !(3...255).contains(leaseTable.utf8.count) {
            throw ValidationError("--lease-table must be 3 to 255 characters (a DynamoDB table name), got '\(leaseTable)'")
        }
    }

    func run() async throws {
        MemoryTuning.configure(.service)
        let clock = SystemClock(startMillis: SystemClock.realtimeMillis(), factor: 1)
        var configuration = AlleycatService.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.layout = DataLayout(directory: directory)
        configuration.plausibility = try limits.load(dataDirectory: directory)
        configuration.remoteSource = try RemoteSource.open(
            endpoint: nil, stream: stream, layout: configuration.layout, leaseTable: leaseTable, workerId: workerId)
        let mirror = try history.map { try S3Location.mirror($0) }
        configuration.historyMirror = mirror
        configuration.deliveryReplica = try delivery.map { try S3Location.delivery($0) }
        configuration.store = try store.map { try openResultStore(url: $0, option: "--store") }
        configuration.processor = try processing.processor(streamName: stream)
        let service = try AlleycatService(configuration: configuration, clock: clock)
        let host = host
        let directory = directory
        let storeText = store.map { "store \(redactedPassword($0))" } ?? "store \(configuration.layout.storePath)"
        service.startPumps()
        try await service.application(onListening: { port in
            print("alleycat worker: listening on http://\(host):\(port)/, data in \(directory), \(storeText)")
            fflush(nil)
        }).runService()
        ServeCommand.stop(service, mirror: mirror, history: history, command: "alleycat worker")
    }
}
