/// One race of one class, as listed by `RaceStore.races(classId:)`.
public struct RaceSummary: Sendable, Equatable {
    public var raceId: Int64
    public var classId: Int
    /// Smallest device timestamp (ms since epoch) seen in the race.
    public var startMillis: Int64
    public var status: RaceStatus
    public var racerCount: Int

    public init(raceId: Int64, classId: Int, startMillis: Int64, status: RaceStatus, racerCount: Int) {
        self.raceId = raceId
        self.classId = classId
        self.startMillis = startMillis
        self.status = status
        self.racerCount = racerCount
    }
}
