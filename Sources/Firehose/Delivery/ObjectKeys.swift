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
