/// A racer's all-time best race in one class under one measure.
public struct LeaderboardEntry: Sendable, Equatable {
    /// Position on the class leaderboard for the measure, from 1: value descending,
    /// then racer id ascending, so equal values still get distinct ranks.
    public var rank: Int
    public var racerId: Int
    /// The racer's name from their most recent race.
    public var name: String
    /// The race that holds the record (the earliest one when several tie).
    public var raceId: Int64
    public var value: Double

    public init(rank: Int, racerId: Int, name: String, raceId: Int64, value: Double) {
        self.rank = rank
        self.racerId = racerId
        self.name = name
        self.raceId = raceId
        self.value = value
    }
}
