import RaceModel

/// The "Here now" view of a class: the riders of its current race ranked by their
/// latest output, as published at the class's last advanced second.
public typealias HereNowView = RankingView<HereNowEntry>

/// One rider of a `HereNowView`.
public struct HereNowEntry: Sendable, Equatable {
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
