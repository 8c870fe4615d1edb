/// A ranked view of a class, as the queries answer it: the leaders and, when asked
/// for, one racer with its neighbours. "Here now" and "All time" differ only in
/// their entries (`HereNowView`, `AllTimeView`).
public struct RankingView<E: Sendable & Equatable>: Sendable, Equatable {
    public typealias Entry = E

    public let classId: Int
    /// The class's current race, nil before the class has had one.
    public let raceId: Int64?
    /// The second ranked: for "Here now" the published second, for "All time" the one
    /// asked for; 0 before the class has had a race (and, for "All time", none was asked for).
    public let second: Int
    /// Entries ranked.
    public let total: Int
    /// The first `limit` entries.
    public let leaders: [Entry]
    /// The asked-for racer and its neighbours; nil when no racer was asked for or the
    /// racer is not ranked.
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
