import RaceModel

/// The "Here now" view of a class: the riders of its current race ranked by their
/// latest output, as published at the class's last advanced second.
public struct HereNowView: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// Position in the standings, 1 for the leader; ties are ordered by racer id.
        public let rank: Int
        public let racerId: Int
        /// Output at the rider's latest second.
        public let output: Double
        /// Best output of the rider in this race so far.
        public let best: Double
        /// The highest second the rider has reported.
        public let second: Int

        public init(rank: Int, racerId: Int, output: Double, best: Double, second: Int) {
            self.rank = rank
            self.racerId = racerId
            self.output = output
            self.best = best
            self.second = second
        }

        /// Looked up when asked, so a 100,000-rider ranking stores no strings.
        public var name: String { Roster.name(of: racerId) }
    }

    public let classId: Int
    /// nil before the class has had a race.
    public let raceId: Int64?
    /// The published second, 0 before the class has had a race.
    public let second: Int
    /// Riders ranked.
    public let total: Int
    /// The first `limit` entries.
    public let leaders: [Entry]
    /// The asked-for racer and its neighbours; nil when no racer was asked for or
    /// the racer is not in the published standings.
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
