import ArgumentParser
import Dispatch
import Firehose
import Foundation
import KinesisStream
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
            """,
        shouldDisplay: false)

    @Argument(help: "firehose or parse")
    var name: String

    @Option(help: "Number of riders.")
    var racers = 1000

    @Option(name: .customLong("gzip-level"), help: "gzip level, 1 to 9.")
    var gzipLevel: Int32 = 1

    func validate() throws {
        guard ["firehose", "parse"].contains(name) else { throw ValidationError("unknown benchmark '\(name)': choose firehose or parse") }
    }

    func run() throws {
        MemoryTuning.configure()
        if name == "parse" { return try parse() }
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

    private func rounded(_ value: Double) -> Double {
        (value * 10000).rounded() / 10000
    }
}
