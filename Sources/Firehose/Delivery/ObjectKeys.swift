import RaceModel
import StreamReading

/// Names of delivered objects, as Firehose writes them to S3:
/// `YYYY/MM/DD/HH/<name>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>.gz` in UTC, at the
/// time of the object's first record. The uuid is derived from that record's
/// sequence number and the delivery stream's key seed.
public enum ObjectKeys {
    public static let version = 1
    public static let failedPrefix = "processing-failed/"

    public static func deliveredKey(
        deliveryStream: String, firstArrivalMillis: Int64, shardId: String, firstSequenceNumber: RecordSequence, seed: UInt64
    ) -> String {
        let time = UTCTime(millis: firstArrivalMillis)
        return "\(time.pathPrefix)/\(deliveryStream)-\(version)-\(time.stamp)-\(uuid(shardId, firstSequenceNumber, seed: seed, salt: 0)).gz"
    }

    public static func failedKey(
        deliveryStream: String, firstArrivalMillis: Int64, shardId: String, firstSequenceNumber: RecordSequence, seed: UInt64
    ) -> String {
        let time = UTCTime(millis: firstArrivalMillis)
        return "\(failedPrefix)\(time.pathPrefix)/\(deliveryStream)-\(version)-\(time.stamp)-\(uuid(shardId, firstSequenceNumber, seed: seed, salt: 1)).gz"
    }

    /// Derived from the shard's number and the record's sequence number (the embedded
    /// stream's: its per-shard counter; a longer one, as Kinesis makes, is hashed).
    static func uuid(_ shardId: String, _ sequenceNumber: RecordSequence, seed: UInt64, salt: UInt64) -> String {
        let shard = UInt64(shardId.split(separator: "-").last ?? "") ?? fnv1a(shardId)
        let counter = sequenceNumber.value.map { UInt64(truncatingIfNeeded: $0 % 1_000_000_000_000_000_000) } ?? fnv1a(sequenceNumber.text)
        var rng = SplitMix64(seed: SplitMix64.mix(shard << 1 | salt) ^ counter ^ seed)
        let high = rng.next()
        let low = rng.next()
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: digits - text.count) + text
        }
        return "\(hex(high >> 32, 8))-\(hex(high >> 16 & 0xFFFF, 4))-\(hex(high & 0xFFFF, 4))-\(hex(low >> 48, 4))-\(hex(low & 0xFFFF_FFFF_FFFF, 12))"
    }
}

private func fnv1a(_ text: String) -> UInt64 {
    text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

/// A UTC calendar time from epoch milliseconds (proleptic Gregorian).
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
    /// `YYYY-MM-DDTHH:MM:SSZ`
    public var iso: String { "\(Self.pad(year, 4))-\(Self.pad(month))-\(Self.pad(day))T\(Self.pad(hour)):\(Self.pad(minute)):\(Self.pad(second))Z" }
}
