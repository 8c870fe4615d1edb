import ArgumentParser
import KinesisStream
import RaceModel
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
            """)

    @OptionGroup var simulation: SimulationOptions

    @Option(help: "Shards in the stream.")
    var shards = 1

    @Option(help: "realtime, max (virtual time, as fast as the CPU allows) or a factor such as 10.")
    var speed = "realtime"

    @Option(name: .customLong("records-per-shard-second"), help: "Shard write limit, records per second.")
    var recordsPerShardSecond = ShardLimits.kinesis.recordsPerSecond

    @Flag(help: "Print the summary as one JSON object instead of text.")
    var json = false

    func validate() throws {
        _ = try parsedSpeed()
        if shards < 1 || shards > 1024 { throw ValidationError("--shards must be 1 to 1024, got \(shards)") }
        if recordsPerShardSecond < 1 { throw ValidationError("--records-per-shard-second must be at least 1") }
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
        let stream = KinesisStream(
            shardCount: shards, limits: ShardLimits(recordsPerSecond: recordsPerShardSecond), clock: clock)
        let run = LoadRun(plan: plan, sink: stream, clock: clock)
        if !json {
            print("alleycat-sim: \(plan.racers) riders, classes \(plan.classes.map(String.init).joined(separator: ",")), \(plan.races) race(s) of \(plan.seconds) s, seed \(plan.seed), into stream '\(stream.name)' with \(shards) shard(s), speed \(speed)")
            let progress = ProgressReporter(label: "racing")
            run.afterSecond = { progress.update($0) }
        }
        let summary = run.run()
        print(json ? summary.json() : summary.report())
        if summary.lost > 0 { throw ExitCode(2) }
    }
}
