/// The "Here now" standings of one class at one race second, returned by
/// `RankingEngine.ingest` when the class's current second moves forward, so a
/// subscriber gets one update per race second.
public struct RankingUpdate: Sendable, Equatable {
    public let classId: Int
    public let raceId: Int64
    /// The class's current second: the highest second any rider of the race has reported.
    public let second: Int
    /// Every rider of the race, ranked by latest output (rank 1 first). The same
    /// array the engine answers `hereNow` from until the next second, not a copy.
    public let standings: [HereNowView.Entry]
    /// The earliest stream arrival among the records this update is the first to include.
    public let earliestArrivalMillis: Int64
    /// When the update was made (the `nowMillis` given to `ingest`).
    public let publishedMillis: Int64

    public init(
        classId: Int, raceId: Int64, second: Int, standings: [HereNowView.Entry],
        earliestArrivalMillis: Int64, publishedMillis: Int64
    ) {
        self.classId = classId
        self.raceId = raceId
        self.second = second
        self.standings = standings
        self.earliestArrivalMillis = earliestArrivalMillis
        self.publishedMillis = publishedMillis
    }

    /// From the oldest record it is the first to include entering the stream to the standings being ready.
    public var latencyMillis: Int64 { publishedMillis - earliestArrivalMillis }
}
