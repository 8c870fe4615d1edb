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

    @Option(help: "Number of riders (racer ids start at 0).")
    var racers = 1000

    @Option(name: .customLong("class"), help: "Class to race in, 1 to 6; repeat or use commas for several (default: all six). Riders are dealt to classes in turn.")
    var classes: [String] = []

    @Option(help: "Race length in seconds.")
    var seconds = RaceSchedule.defaultRaceLength

    @Option(help: "Number of races, one per 5-minute window.")
    var races = 1

    @Option(help: "Seed for the riders' cadence, resistance and partition keys.")
    var seed: UInt64 = 1

    @Option(help: "Shards in the stream.")
    var shards = 1

    @Option(name: .customLong("partition-key"), help: "random (even spread), time (a second per shard) or class (a class per shard).")
    var partitionKey: String = PartitionKeyStrategy.random.rawValue

    @Option(help: "Records per PutRecords call, at most 500.")
    var batch = 500

    @Option(help: "realtime, max (virtual time, as fast as the CPU allows) or a factor such as 10.")
    var speed = "realtime"

    @Option(help: "Start of the first race: 'now' or milliseconds since the epoch. Fix it to get identical timestamps run to run.")
    var start = "now"

    @Option(name: .customLong("records-per-shard-second"), help: "Shard write limit, records per second.")
    var recordsPerShardSecond = ShardLimits.kinesis.recordsPerSecond

    @Flag(help: "Print the summary as one JSON object instead of text.")
    var json = false

    func validate() throws {
        _ = try parsedPlan()
        _ = try parsedSpeed()
        if shards < 1 || shards > 1024 { throw ValidationError("--shards must be 1 to 1024, got \(shards)") }
        if recordsPerShardSecond < 1 { throw ValidationError("--records-per-shard-second must be at least 1") }
    }

    func parsedPlan() throws -> SimulationPlan {
        guard let strategy = PartitionKeyStrategy(rawValue: partitionKey) else {
            throw ValidationError("--partition-key must be random, time or class, got '\(partitionKey)'")
        }
        var classIds: [Int] = []
        for item in classes.flatMap({ $0.split(separator: ",") }) {
            guard let id = Int(item.filter { $0 != " " }) else {
                throw ValidationError("--class takes class numbers 1 to 6, got '\(item)'")
            }
            classIds.append(id)
        }
        let startMillis: Int64
        if start == "now" {
            startMillis = SystemClock.realtimeMillis()
        } else if let millis = Int64(start), millis >= 0 {
            startMillis = millis
        } else {
            throw ValidationError("--start must be 'now' or milliseconds since the epoch, got '\(start)'")
        }
        let plan = SimulationPlan(
            racers: racers, classes: classIds.isEmpty ? Array(ExerciseClass.validIds) : classIds, seconds: seconds,
            races: races, seed: seed, startMillis: startMillis, partitionKey: strategy, batchSize: batch)
        if let problem = plan.problem() { throw ValidationError(problem) }
        return plan
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
        let plan = try parsedPlan()
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
