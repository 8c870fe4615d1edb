import RaceModel

/// The "All time" view of a class at one second: every live rider's output at
/// that second ranked together with every other racer's all-time record there.
public struct AllTimeView: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
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

    public let classId: Int
    /// The class's current race, nil before the class has had one.
    public let raceId: Int64?
    /// The second ranked; 0 when the class has no current second and none was asked for.
    public let second: Int
    /// Entries ranked (live riders plus other record holders).
    public let total: Int
    /// The first `limit` entries.
    public let leaders: [Entry]
    /// The asked-for racer and its neighbours; nil when not asked for or not ranked at this second.
    public let racer: Neighbourhood<Entry>?

    public init(classId: Int, raceId: Int64?, second: Int, total: Int, leaders: [Entry], racer: Neighbourhood<Entry>?) {
        self.classId = classId
        self.raceId = raceId
        self.second = second
        self.total = total
        self.leaders = leaders
        self.racer = racer
    }
}
