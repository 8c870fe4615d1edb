import RaceModel

/// The "All time" view of a class at one second: every live rider's output at
/// that second ranked together with every other racer's all-time record there.
public typealias AllTimeView = RankingView<AllTimeEntry>

/// One entry of an `AllTimeView`.
public struct AllTimeEntry: Sendable, Equatable {
    /// Position, 1 for the best; ties are ordered by racer id.
    public let rank: Int
    public let racerId: Int
    /// The live output at the second when `live`, else the racer's all-time record.
    public let output: Double
    /// Whether `output` is from the current race.
    public let live: Bool
    /// A live output above the racer's own record at this second, or a first one.
    public let newRecord: Bool
    /// The racer's all-time record at this second from the history table, if any.
    public let record: Double?

    public init(rank: Int, racerId: Int, output: Double, live: Bool, newRecord: Bool, record: Double?) {
        self.rank = rank
        self.racerId = racerId
        self.output = output
        self.live = live
        self.newRecord = newRecord
        self.record = record
    }

    public var name: String { Roster.name(of: racerId) }
}
