/// A record's position in its shard. Written as 25 digits, a 1 and then 6 for the shard
/// and 18 for the counter, so that, as in Kinesis, the strings of one shard strictly
/// increase both as numbers and as text, and none has a leading zero (the API model's
/// pattern `0|([1-9]\d{0,128})`).
public struct SequenceNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let shardIndex: Int
    public let counter: UInt64

    public static let maximumShardIndex = 999_999
    public static let maximumCounter: UInt64 = 999_999_999_999_999_999

    public init(shardIndex: Int, counter: UInt64) {
        self.shardIndex = shardIndex
        self.counter = counter
    }

    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == Self.digits, utf8[0] == 0x31, utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var shard = 0
        for byte in utf8[1..<7] { shard = shard * 10 + Int(byte - 0x30) }
        var counter: UInt64 = 0
        for byte in utf8[7...] { counter = counter * 10 + UInt64(byte - 0x30) }
        self.init(shardIndex: shard, counter: counter)
    }

    /// How many digits a sequence number has.
    public static let digits = 25

    public var description: String {
        var bytes = [UInt8](repeating: 0x30, count: Self.digits)
        bytes[0] = 0x31
        var shard = shardIndex
        for i in stride(from: 6, through: 1, by: -1) {
            bytes[i] = UInt8(0x30 + shard % 10)
            shard /= 10
        }
        var value = counter
        for i in stride(from: 24, through: 7, by: -1) {
            bytes[i] = UInt8(0x30 + value % 10)
            value /= 10
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func < (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
        (lhs.shardIndex, lhs.counter) < (rhs.shardIndex, rhs.counter)
    }
}

/// `shardId-000000000003`, as Kinesis names shards.
public struct ShardID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let index: Int

    public init(index: Int) {
        self.index = index
    }

    public init?(_ text: String) {
        let prefix = "shardId-"
        guard text.hasPrefix(prefix) else { return nil }
        let digits = text.dropFirst(prefix.count)
        guard digits.count == 12, let value = Int(digits), value >= 0 else { return nil }
        self.init(index: value)
    }

    public var description: String {
        let digits = String(index)
        return "shardId-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    public static func < (lhs: ShardID, rhs: ShardID) -> Bool { lhs.index < rhs.index }
}
