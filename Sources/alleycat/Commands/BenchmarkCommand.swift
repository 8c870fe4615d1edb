import ArgumentParser
import Dispatch
import Firehose
import Foundation
import KinesisStream
import Pipeline
import StreamReading
import RaceModel
import Simulator
import Storage

/// Measurements that need the inside of the pipeline; scripts/bench.sh runs them.
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Measure one stage and print its figures as JSON lines (used by scripts/bench.sh).",
        discussion: """
            firehose: a whole race from the stream to delivered objects, next to plain zlib on the same bytes.
            parse: the record parser and the transform on a race's 300,000 messages, per message.
            read: open the durable stream under --data and read every record back from TRIM_HORIZON \
            through the reading seam, as a new consumer does (from the files: the cache starts empty).
            """,
        shouldDisplay: false)

    @Argument(help: "firehose, parse or read")
    var name: String

    @Option(name: .customLong("data"), help: "Data directory (read).")
    var directory = "data"

    @Option(help: "Shards of the stream (read).")
    var shards = 1

    @Option(help: "Number of riders.")
    var racers = 1000

    @Option(name: .customLong("gzip-level"), help: "gzip level, 1 to 9.")
    var gzipLevel: Int32 = 1

    func validate() throws {
        guard ["firehose", "parse", "read"].contains(name) else { throw ValidationError("unknown benchmark '\(name)': choose firehose, parse or read") }
    }

    func run() throws {
        MemoryTuning.configure()
        if name == "parse" { return try parse() }
        if name == "read" { return try read() }
        let plan = SimulationPlan(racers: racers, seed: 1, startMillis: 1_700_000_000_000)
        let clock = VirtualClock(startMillis: plan.startMillis)
        let stream = KinesisStream(clock: clock)
        let load = LoadRun(plan: plan, sink: stream, clock: clock)
        let loaded = load.run()
        guard loaded.lost == 0 else { throw UserError("the stream refused \(loaded.lost) records; the benchmark needs them all") }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alleycat-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bucket = Bucket(name: "delivery", directory: directory)
        let firehose = try DeliveryStream(
            configuration: DeliveryStreamConfiguration(compressionLevel: gzipLevel), source: EmbeddedSource(stream: stream),
            checkpoints: EmbeddedSource(stream: stream), bucket: bucket, clock: clock)
        let started = SystemClock.monotonicNanos()
        firehose.pump()
        firehose.flush()
        let firehoseSeconds = Double(SystemClock.monotonicNanos() - started) / 1e9
        let metrics = firehose.metrics

        // The same bytes, object by object, through plain zlib at the same level.
        let objects = try bucket.list().map { try Gzip.decompress(bucket.get(key: $0)) }
        let total = objects.reduce(0) { $0 + $1.count }
        var zlibStart = SystemClock.monotonicNanos()
        var compressed = 0
        for object in objects { compressed += Gzip.compress(object, level: gzipLevel).count }
        let zlibSeconds = Double(SystemClock.monotonicNanos() - zlibStart) / 1e9
        zlibStart = SystemClock.monotonicNanos()
        DispatchQueue.concurrentPerform(iterations: objects.count) { index in
            _ = Gzip.compress(objects[index], level: gzipLevel)
        }
        let zlibParallelSeconds = Double(SystemClock.monotonicNanos() - zlibStart) / 1e9

        let detail = """
            "records":\(metrics.delivered),"objects":\(metrics.objects),"bytes":\(total),"gzipBytes":\(compressed),\
            "level":\(gzipLevel),"cores":\(DeliveryStreamConfiguration.processorCount)
            """
        print(#"{"name":"firehose-race-level-\#(gzipLevel)","value":\#(rounded(firehoseSeconds)),"unit":"s","detail":{\#(detail),"zlibSeconds":\#(rounded(zlibSeconds)),"ratioToZlib":\#(rounded(firehoseSeconds / zlibSeconds)),"zlibAllCoresSeconds":\#(rounded(zlibParallelSeconds))}}"#)
        print(#"{"name":"zlib-level-\#(gzipLevel)-same-bytes","value":\#(rounded(zlibSeconds)),"unit":"s","detail":{\#(detail),"threads":1}}"#)
        if metrics.delivered != plan.totalMessages { throw UserError("delivered \(metrics.delivered) of \(plan.totalMessages) records") }
    }

    /// Parse and transform every message of a race, timing each pass over all of them.
    func parse() throws {
        let plan = SimulationPlan(racers: racers, seed: 1, startMillis: 1_700_000_000_000)
        let generator = RaceGenerator(plan: plan)
        let profiles = generator.profiles(race: 0)
        var messages: [[UInt8]] = []
        messages.reserveCapacity(plan.totalMessages)
        for second in 1...plan.seconds {
            for index in 0..<plan.racers {
                messages.append(RecordWriter.bytes(generator.message(race: 0, second: second, racerIndex: index, profile: profiles[index])))
            }
        }
        var started = SystemClock.monotonicNanos()
        var checksum = 0
        for message in messages {
            checksum &+= try RecordParser.parse(message).racerId
        }
        let parseNanos = Double(SystemClock.monotonicNanos() - started) / Double(messages.count)
        started = SystemClock.monotonicNanos()
        var out: [UInt8] = []
        out.reserveCapacity(256)
        for message in messages {
            out.removeAll(keepingCapacity: true)
            try message.withUnsafeBufferPointer { bytes in
                checksum &+= try RecordTransform.transform(bytes, into: &out).second
            }
        }
        let transformNanos = Double(SystemClock.monotonicNanos() - started) / Double(messages.count)
        print(#"{"name":"parse-record","value":\#(rounded(parseNanos)),"unit":"ns","detail":{"messages":\#(messages.count),"checksum":\#(checksum)}}"#)
        print(#"{"name":"transform-record","value":\#(rounded(transformNanos)),"unit":"ns","detail":{"messages":\#(messages.count)}}"#)
    }

    /// Every record of the stream log, read back by a consumer that has no position yet.
    func read() throws {
        let layout = DataLayout(directory: directory)
        guard FileManager.default.fileExists(atPath: layout.streamDirectory) else {
            throw UserError("no stream log in \(layout.streamDirectory): run 'alleycat serve --data \(directory)' with some records first")
        }
        // Opening the log repairs a torn tail, so no service may be writing it meanwhile.
        let lock = try DataFolderLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        var started = SystemClock.monotonicNanos()
        let stream = try KinesisStream.durable(
            directory: layout.streamDirectory, shardCount: shards, retentionMillis: .max, clock: SystemClock())
        let openSeconds = Double(SystemClock.monotonicNanos() - started) / 1e9
        let source = EmbeddedSource(stream: stream)
        let reader = try StreamReader(name: "benchmark-read-\(UInt32.random(in: 0...UInt32.max))", source: source, checkpoints: source, now: { 0 })
        started = SystemClock.monotonicNanos()
        var records = 0
        var bytes = 0
        while true {
            let batch = reader.poll()
            if batch.isEmpty { break }
            records += batch.count
            for record in batch { bytes += record.data.count }
        }
        let readSeconds = Double(SystemClock.monotonicNanos() - started) / 1e9
        let megabytes = Double(bytes) / 1_048_576
        print(#"{"name":"stream-read-trim-horizon","value":\#(rounded(megabytes / readSeconds)),"unit":"MB/s","detail":{"records":\#(records),"dataMB":\#(rounded(megabytes)),"readSeconds":\#(rounded(readSeconds)),"recordsPerSecond":\#(Int(Double(records) / readSeconds)),"openSeconds":\#(rounded(openSeconds)),"cachedMBAfter":\#(stream.cachedBytes >> 20),"peakRSSMB":\#(ServeCommand.peakMemoryMB())}}"#)
    }

    private func rounded(_ value: Double) -> Double {
        (value * 10000).rounded() / 10000
    }
}
