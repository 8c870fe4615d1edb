/// One racer's place in a ranking: their entry and the entries just around it.
public struct Neighbourhood<Entry: Sendable & Equatable>: Sendable, Equatable {
    public let entry: Entry
    /// Up to `reach` entries ranked just above, best first.
    public let above: [Entry]
    /// Up to `reach` entries ranked just below, best first.
    public let below: [Entry]

    public init(entry: Entry, above: [Entry], below: [Entry]) {
        self.entry = entry
        self.above = above
        self.below = below
    }

    /// The entry at `position` (0-based) of a ranked array and up to `reach` on each side.
    public init(position: Int, in ranked: [Entry], reach: Int = 2) {
        precondition(ranked.indices.contains(position), "position \(position) is outside the ranking of \(ranked.count)")
        entry = ranked[position]
        above = Array(ranked[max(0, position - reach)..<position])
        below = Array(ranked[(position + 1)..<min(ranked.count, position + 1 + reach)])
    }

    /// The entries around the racer, in rank order, without the racer.
    public var neighbours: [Entry] { above + below }
}
