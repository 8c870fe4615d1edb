import ArgumentParser
import Firehose
import Foundation
import KinesisStream
import Leaderboard
import Pipeline
import RaceModel
import RaceStore
import Simulator

struct RaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "race",
        abstract: "Run simulated races through the whole pipeline in one process.",
        discussion: """
            Riders → stream → firehose (gzip objects in <data>/delivery) → merger (history files in \
            <data>/history, results in <data>/alleycat.sqlite), on a virtual clock: a 5-minute race \
            takes as long as the CPU needs. Prints each class's top ten and where the outputs are. \
            --processor-command or --processor-lambda replaces the built-in transform with a command \
            or an unchanged Lambda handler file (.js under node, .py under python3).
            """)

    @OptionGroup var simulation: SimulationOptions

    @OptionGroup var processing: ProcessorOptions

    @Option(help: "Shards in the stream.")
    var shards = 1

    @Option(name: .customLong("buffer-mb"), help: "Firehose SizeInMBs buffering hint, 1 to 128.")
    var bufferMB = 1

    @Option(name: .customLong("buffer-seconds"), help: "Firehose IntervalInSeconds buffering hint, 0 to 900.")
    var bufferSeconds = 60

    @Option(name: .customLong("gzip-level"), help: "gzip level of delivered objects, 1 to 9.")
    var gzipLevel: Int32 = 1

    @Option(name: .customLong("stream-cache-mb"), help: "MiB of the newest stream log kept in memory (the firehose reads each second as it is written, so a little is enough).")
    var streamCacheMB = 16

    @Option(
        name: .customLong("reshard"),
        help: ArgumentHelp(
            "After SECOND seconds of the run, make the stream's open shards SHARDS (as UpdateShardCount does), to see resharding mid-race; repeatable.",
            valueName: "SECOND:SHARDS"))
    var reshard: [String] = []

    @Option(name: .customLong("data"), help: "Data directory for the outputs.")
    var directory = "data"

    @Flag(help: "Keep the stream in a segment log under DATA/stream (fsynced before records are acknowledged; a rerun on the same --data continues that stream) instead of a scratch log, written without fsync and removed at the end.")
    var durable = false

    @OptionGroup var limits: LimitsOption

    @Flag(help: "Print only the figures as one JSON object (for scripts/bench.sh).")
    var json = false

    func validate() throws {
        _ = try hints()
        if !(1...9).contains(gzipLevel) { throw ValidationError("--gzip-level must be 1 to 9, got \(gzipLevel)") }
        if shards < 1 || shards > 1024 { throw ValidationError("--shards must be 1 to 1024, got \(shards)") }
        if streamCacheMB < 0 || streamCacheMB > 1 << 20 { throw ValidationError("--stream-cache-mb must be 0 to 1048576, got \(streamCacheMB)") }
        _ = try reshards()
    }

    /// `--reshard 100:4` → after second 100, 4 open shards.
    func reshards() throws -> [PipelineConfiguration.Reshard] {
        try reshard.map { text in
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let second = Int(parts[0]), let count = Int(parts[1]), second >= 1, (1...1024).contains(count) else {
                throw ValidationError("--reshard takes SECOND:SHARDS, a second of the run from 1 and a shard count of 1 to 1024 (for example 100:4), not '\(text)'")
            }
            return PipelineConfiguration.Reshard(second: second, shards: count)
        }
    }

    func hints() throws -> BufferingHints {
        do {
            return try BufferingHints(sizeInMBs: bufferMB, intervalInSeconds: bufferSeconds)
        } catch {
            throw ValidationError("\(error) (--buffer-mb / --buffer-seconds)")
        }
    }

    func run() throws {
        MemoryTuning.configure()
        let plan = try simulation.plan()
        let layout = DataLayout(directory: directory)
        let pipeline = try RacePipeline(configuration: PipelineConfiguration(
            plan: plan, layout: layout, shards: shards,
            firehose: DeliveryStreamConfiguration(bufferingHints: try hints(), compressionLevel: gzipLevel),
            processor: try processing.processor(streamName: KinesisStream.defaultName), durable: durable,
            cacheBytes: streamCacheMB << 20, reshards: try reshards(), plausibility: try limits.load(dataDirectory: directory)))
        let progress = ProgressReporter(label: "racing")
        if !json {
            print("alleycat race: \(plan.racers) riders in class\(plan.classes.count > 1 ? "es" : "") \(plan.classes.map(String.init).joined(separator: ",")), \(plan.races) race(s) of \(plan.seconds) s, seed \(plan.seed)")
            let resharded = try reshards().map { " then \($0.shards) after second \($0.second)" }.joined(separator: ",")
            print("stage 1/4 stream: '\(pipeline.stream.name)', \(shards) shard(s)\(resharded), \(durable ? "durable in \(layout.streamDirectory)" : "a scratch log (no fsync) under \(layout.directory)/stream-scratch, removed at the end"), virtual clock from \(plan.startMillis)")
            print("stage 2/4 firehose: '\(pipeline.firehose.configuration.name)' → \(layout.deliveryDirectory) (processor \(pipeline.firehose.processor.name), buffer \(bufferMB) MiB or \(bufferSeconds) s, gzip level \(gzipLevel))")
            print("stage 3/4 merger: history → \(layout.historyDirectory), store → \(layout.storePath)")
            print("stage 4/4 racing...")
        }
        let summary = try pipeline.run(afterSecond: json ? nil : { progress.update($0) })
        if json {
            print(figures(summary))
        } else {
            try report(summary, pipeline: pipeline, layout: layout, plan: plan)
        }
        if !summary.errors.isEmpty || summary.simulation.lost > 0 { throw ExitCode(2) }
    }

    func figures(_ summary: PipelineSummary) -> String {
        """
        {"messages":\(summary.simulation.generated),"accepted":\(summary.simulation.accepted),"lost":\(summary.simulation.lost),\
        "delivered":\(summary.delivery.delivered),"failed":\(summary.delivery.failed),"objects":\(summary.delivery.objects),\
        "bytesUncompressed":\(summary.delivery.bytesUncompressed),"bytesCompressed":\(summary.delivery.bytesCompressed),\
        "merged":\(summary.merge.records),"mergedObjects":\(summary.merge.objects),"merges":\(summary.merges),\
        "wallSeconds":\(summary.wallSeconds),"errors":\(summary.errors.count),"shards":\(summary.shards),"openShards":\(summary.openShards)}
        """
    }

    func report(_ summary: PipelineSummary, pipeline: RacePipeline, layout: DataLayout, plan: SimulationPlan) throws {
        let simulation = summary.simulation
        let delivery = summary.delivery
        print("")
        print("messages:  \(simulation.generated) generated, \(simulation.accepted) accepted, \(simulation.refusedAndRetried) retried after throttling, \(simulation.failed) failed")
        print("firehose:  \(delivery.delivered) records in \(delivery.objects) objects (\(delivery.bytesUncompressed) bytes → \(delivery.bytesCompressed) gzip), \(delivery.failed) set aside in processing-failed/ (\(delivery.implausible) beyond the plausibility limits), \(delivery.dropped) dropped; delivery latency p50 \(delivery.latencyPercentile(50)) ms, p99 \(delivery.latencyPercentile(99)) ms of race time")
        if summary.shards > shards {
            print("stream:    resharded to \(summary.openShards) open shard(s); \(summary.shards) shard(s) in all, the closed ones read to their end before their children")
        }
        print("merger:    \(summary.merge.records) records from \(summary.merge.objects) objects in \(summary.merges) merges\(summary.replayedAtStart.objects > 0 ? " (\(summary.replayedAtStart.objects) left over from an earlier run merged first)" : "")")
        print("time:      \(String(format: "%.3f", summary.wallSeconds)) s wall for \(plan.races * plan.seconds) s of racing")
        for error in summary.errors { print("error:     \(error)") }
        for reason in summary.merge.skipReasons { print("skipped:   \(reason)") }
        let lastRace = plan.raceId(plan.races - 1)
        let results = try pipeline.store.results(raceId: lastRace)
        for classId in plan.classes {
            let exerciseClass = ExerciseClass.withId(classId)!
            print("")
            print("top ten of \(exerciseClass), race \(lastRace), by total output:")
            var table = Table("rank", "racer", "name", "total", "best", "final", rightAligned: [0, 1, 3, 4, 5])
            for result in results.filter({ $0.classId == classId }).prefix(10) {
                table.add(
                    String(result.rank), String(result.racerId), result.name, formatOutput(result.totalOutput),
                    formatOutput(result.bestOutput), result.finalOutput.map(formatOutput) ?? "-")
            }
            print(table.text)
        }
        print("")
        print("outputs:")
        for classId in plan.classes {
            print("  \(layout.historyDirectory)/\(HistoryMerger.historyKey(classId: classId))")
        }
        print("  \(layout.storePath) (SQLite: try `alleycat leaderboard --class \(plan.classes[0])`)")
        print("  \(layout.deliveryDirectory)/ (gzip NDJSON objects; failed records under processing-failed/)")
    }
}
