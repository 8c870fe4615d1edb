/// A UTC calendar time from epoch milliseconds (proleptic Gregorian), and the one place
/// times are formatted: object keys, tables and messages all take theirs from here.
public struct UTCTime: Sendable, Equatable {
    public var year, month, day, hour, minute, second: Int

    public init(millis: Int64) {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        var days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = Int(seconds - days * 86400)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
    }

    private static func pad(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// `YYYY/MM/DD/HH`
    public var pathPrefix: String { "\(Self.pad(year, 4))/\(Self.pad(month))/\(Self.pad(day))/\(Self.pad(hour))" }
    /// `YYYY-MM-DD-HH-MM-SS`
    public var stamp: String { "\(Self.pad(year, 4))-\(Self.pad(month))-\(Self.pad(day))-\(Self.pad(hour))-\(Self.pad(minute))-\(Self.pad(second))" }
    /// `YYYY-MM-DD HH:MM:SS`, for tables (their headers say UTC)
    public var readable: String { "\(Self.pad(year, 4))-\(Self.pad(month))-\(Self.pad(day)) \(Self.pad(hour)):\(Self.pad(minute)):\(Self.pad(second))" }
    /// `YYYY-MM-DDTHH:MM:SSZ` (ISO 8601)
    public var iso: String { "\(Self.pad(year, 4))-\(Self.pad(month))-\(Self.pad(day))T\(Self.pad(hour)):\(Self.pad(minute)):\(Self.pad(second))Z" }
}
