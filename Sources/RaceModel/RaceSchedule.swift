/// Race ids and timing: one race per 5-minute window, `raceId = floor(epochMillis / 300000)`.
public enum RaceSchedule {
    public static let windowMillis: Int64 = 300_000
    public static let defaultRaceLength = 300

    public static func raceId(atMillis millis: Int64) -> Int64 {
        millis >= 0 ? millis / windowMillis : (millis - windowMillis + 1) / windowMillis
    }

    public static func startMillis(ofRace raceId: Int64) -> Int64 {
        raceId * windowMillis
    }
}
