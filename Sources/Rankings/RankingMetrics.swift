/// What the ranking engine has done since it started.
public struct RankingMetrics: Sendable, Equatable {
    /// Records (or messages) handed to `ingest`, valid or not.
    public var recordsIngested = 0
    /// Records that failed validation (not JSON, missing field, out of range, ...).
    public var skipped = 0
    /// Valid records beyond their class's plausibility limits; not ranked.
    public var implausible = 0
    /// Why the last of them was left out.
    public var lastImplausibleReason: String?
    /// Valid records of a race older than their class's current race; not ranked.
    public var staleRace = 0
    /// Races started: the first message of a class, and every higher race id after it.
    public var racesStarted = 0
    /// Ranking updates returned by `ingest`, one per class per advanced second.
    public var updatesPublished = 0
    /// Why the last skipped record was refused, for whoever wonders why `skipped` grows.
    public var lastSkipReason: String?

    public init() {}

    /// Records that changed a standing: neither skipped, implausible nor of an older race.
    public var recordsRanked: Int { recordsIngested - skipped - implausible - staleRace }
}
