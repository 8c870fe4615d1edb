/// One racer's result in one race of one class, derived from the merged per-second series.
public struct RacerRaceResult: Sendable, Equatable {
    public var raceId: Int64
    public var classId: Int
    /// Place in the race's class, from 1: total output descending, then racer id, so
    /// equal totals still get distinct ranks (the order `RaceStore.results(raceId:)` lists).
    public var rank: Int
    public var racerId: Int
    /// The racer's name as last committed for this race.
    public var name: String
    /// Output at `finalSecond`; nil until the racer's final second has been merged.
    public var finalOutput: Double?
    public var bestOutput: Double
    public var totalOutput: Double
    /// Number of seconds with an output.
    public var secondsReported: Int
    public var finalSecond: Int?
    /// `series[i]` is the output at second `i + 1`, nil where none was reported;
    /// `series.count` is the highest second seen.
    public var series: [Double?]

    public init(
        raceId: Int64, classId: Int, rank: Int, racerId: Int, name: String,
        finalOutput: Double?, bestOutput: Double, totalOutput: Double,
        secondsReported: Int, finalSecond: Int?, series: [Double?]
    ) {
        self.raceId = raceId
        self.classId = classId
        self.rank = rank
        self.racerId = racerId
        self.name = name
        self.finalOutput = finalOutput
        self.bestOutput = bestOutput
        self.totalOutput = totalOutput
        self.secondsReported = secondsReported
        self.finalSecond = finalSecond
        self.series = series
    }
}
