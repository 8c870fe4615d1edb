/// What a leaderboard ranks a racer's race by.
public enum Measure: String, CaseIterable, Sendable {
    /// Sum of the per-second outputs over the race.
    case total
    /// Highest per-second output in the race.
    case best
    /// Output at the race's final second (only racers who reported it).
    case final
}

extension Measure {
    /// The `race_results` column the measure reads.
    var column: String {
        switch self {
        case .total: "totalOutput"
        case .best: "bestOutput"
        case .final: "finalOutput"
        }
    }
}
