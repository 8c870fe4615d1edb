import KinesisStream
import RaceModel

/// How records are given partition keys (and so spread over shards).
public enum PartitionKeyStrategy: String, Sendable, CaseIterable {
    /// A fresh random key per message: load spreads evenly over shards.
    case random
    /// The message's second: a whole second's records land on one shard.
    case time
    /// The class: a class always lands on one shard.
    case `class`
}

/// Everything that decides which messages a load run sends. Same plan, same bytes.
public struct SimulationPlan: Sendable, Equatable {
    public var racers: Int
    public var classes: [Int]
    public var seconds: Int
    public var races: Int
    public var seed: UInt64
    /// When the first race starts (ms since epoch); race k starts k × 5 minutes later.
    public var startMillis: Int64
    public var partitionKey: PartitionKeyStrategy
    public var batchSize: Int
    public var firstRacerId: Int

    public init(
        racers: Int = 1000, classes: [Int] = Array(ExerciseClass.validIds), seconds: Int = RaceSchedule.defaultRaceLength,
        races: Int = 1, seed: UInt64 = 1, startMillis: Int64, partitionKey: PartitionKeyStrategy = .random,
        batchSize: Int = CallLimits.maximumRecordsPerPut, firstRacerId: Int = 0
    ) {
        self.racers = racers
        self.classes = classes
        self.seconds = seconds
        self.races = races
        self.seed = seed
        self.startMillis = startMillis
        self.partitionKey = partitionKey
        self.batchSize = batchSize
        self.firstRacerId = firstRacerId
    }

    public var totalMessages: Int { racers * seconds * races }

    public func raceStartMillis(_ race: Int) -> Int64 {
        startMillis + Int64(race) * RaceSchedule.windowMillis
    }

    public func raceId(_ race: Int) -> Int64 {
        RaceSchedule.raceId(atMillis: raceStartMillis(race))
    }

    /// Racer `index` rides in `classes[index % classes.count]`.
    public func classId(ofRacerAt index: Int) -> Int {
        classes[index % classes.count]
    }

    /// What is wrong with the plan, phrased as what to type instead, or nil.
    public func problem() -> String? {
        if racers < 1 { return "--racers must be at least 1, got \(racers)" }
        if classes.isEmpty { return "give at least one --class (1 to 6)" }
        if let bad = classes.first(where: { !ExerciseClass.validIds.contains($0) }) {
            return "--class \(bad) is not a class: classes are 1 to 6"
        }
        if Set(classes).count != classes.count { return "--class lists a class twice: \(classes.map(String.init).joined(separator: ","))" }
        if seconds < 1 || seconds > 3600 { return "--seconds must be 1 to 3600, got \(seconds)" }
        if races < 1 { return "--races must be at least 1, got \(races)" }
        if batchSize < 1 || batchSize > CallLimits.maximumRecordsPerPut {
            return "--batch must be 1 to \(CallLimits.maximumRecordsPerPut) (the PutRecords limit), got \(batchSize)"
        }
        if firstRacerId < 0 { return "the first racer id must be >= 0" }
        return nil
    }
}
