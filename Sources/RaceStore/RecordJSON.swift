import Foundation

// The JSON shape of each record the store answers with, in one place: the CLI's `--json`
// and the HTTP routes both print these, so a record reads the same from either. Objects
// for Foundation's JSONSerialization (one small document per command or request, not the
// record path); times are epoch milliseconds, outputs plain numbers, a missing value null.

extension RaceSummary {
    /// `{"raceId","classId","startMillis","status","racerCount"}`
    public var json: [String: Any] {
        ["raceId": raceId, "classId": classId, "startMillis": startMillis, "status": status.rawValue, "racerCount": racerCount]
    }
}

extension RacerRaceResult {
    /// `{"raceId","classId","rank","racerId","name","totalOutput","bestOutput","finalOutput","secondsReported"}`
    /// (`finalOutput` null until the racer's final second is merged; the series is left out).
    public var json: [String: Any] {
        [
            "raceId": raceId, "classId": classId, "rank": rank, "racerId": racerId, "name": name,
            "totalOutput": totalOutput, "bestOutput": bestOutput, "finalOutput": finalOutput.map { $0 as Any } ?? NSNull(),
            "secondsReported": secondsReported,
        ]
    }
}

extension LeaderboardEntry {
    /// `{"rank","racerId","name","raceId","value"}`: the value under the leaderboard's measure,
    /// which the document around it names.
    public var json: [String: Any] {
        ["rank": rank, "racerId": racerId, "name": name, "raceId": raceId, "value": value]
    }

    /// A racer's records (`RaceStore.racerRecords(racerId:)`): measure → class id (as a
    /// string key) → the racer's entry on that class's leaderboard.
    public static func json(records: [Measure: [Int: LeaderboardEntry]]) -> [String: Any] {
        records.reduce(into: [:]) { object, record in
            object[record.key.rawValue] = Dictionary(uniqueKeysWithValues: record.value.map { (String($0.key), $0.value.json) })
        }
    }
}
