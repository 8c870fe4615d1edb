import ArgumentParser
import RaceModel

/// The options that make a simulation plan, shared by `alleycat-sim` and `alleycat race`.
public struct SimulationOptions: ParsableArguments {
    @Option(help: "Number of riders (racer ids start at 0).")
    public var racers = 1000

    @Option(name: .customLong("class"), help: "Class to race in, 1 to 6; repeat or use commas for several (default: all six). Riders are dealt to classes in turn.")
    public var classes: [String] = []

    @Option(help: "Race length in seconds.")
    public var seconds = RaceSchedule.defaultRaceLength

    @Option(help: "Number of races, one per 5-minute window.")
    public var races = 1

    @Option(help: "Seed for the riders' cadence, resistance and partition keys.")
    public var seed: UInt64 = 1

    @Option(name: .customLong("partition-key"), help: "random (even spread), time (a second per shard) or class (a class per shard).")
    public var partitionKey: String = PartitionKeyStrategy.random.rawValue

    @Option(help: "Records per PutRecords call, at most 500.")
    public var batch = 500

    @Option(help: "Start of the first race: 'now' or milliseconds since the epoch. Fix it to get identical timestamps run to run.")
    public var start = "now"

    public init() {}

    public func validate() throws {
        _ = try plan()
    }

    /// The plan these options describe ('now' is read when called).
    public func plan() throws -> SimulationPlan {
        guard let strategy = PartitionKeyStrategy(rawValue: partitionKey) else {
            throw ValidationError("--partition-key must be random, time or class, got '\(partitionKey)'")
        }
        let classIds = try Self.classIds(classes, option: "--class")
        let plan = SimulationPlan(
            racers: racers, classes: classIds.isEmpty ? Array(ExerciseClass.validIds) : classIds, seconds: seconds,
            races: races, seed: seed, startMillis: try Self.startMillis(start), partitionKey: strategy, batchSize: batch)
        if let problem = plan.problem() { throw ValidationError(problem) }
        return plan
    }

    /// Class numbers from repeated or comma-separated values ("1,3" or "1" "3").
    public static func classIds(_ values: [String], option: String) throws -> [Int] {
        try values.flatMap { $0.split(separator: ",") }.map { item in
            guard let id = Int(item.filter { $0 != " " }) else {
                throw ValidationError("\(option) takes class numbers 1 to 6, got '\(item)'")
            }
            return id
        }
    }

    public static func startMillis(_ text: String) throws -> Int64 {
        if text == "now" { return SystemClock.realtimeMillis() }
        guard let millis = Int64(text), millis >= 0 else {
            throw ValidationError("--start must be 'now' or milliseconds since the epoch, got '\(text)'")
        }
        return millis
    }
}
