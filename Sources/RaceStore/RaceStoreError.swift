/// Why the store refused a batch; nothing of the batch is written.
public enum RaceStoreError: Error, Equatable, CustomStringConvertible {
    case secondOutOfRange(key: RaceKey, racerId: Int, second: Int)
    case corruptSeries(key: RaceKey, racerId: Int, byteCount: Int)

    public var description: String {
        switch self {
        case let .secondOutOfRange(key, racerId, second):
            "race \(key.raceId) class \(key.classId) racer \(racerId): second is \(second), must be in 1...\(SeriesBlob.maxSecond)"
        case let .corruptSeries(key, racerId, byteCount):
            "race \(key.raceId) class \(key.classId) racer \(racerId): stored series has \(byteCount) bytes, must be a multiple of 8"
        }
    }
}
