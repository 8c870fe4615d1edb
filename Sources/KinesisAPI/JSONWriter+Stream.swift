import KinesisStream
import KinesisWire

extension JSONWriter {
    /// `"1000001000000000000000042"`: as `SequenceNumber.description`, without building a String.
    mutating func sequenceNumber(_ sequenceNumber: SequenceNumber) {
        paddedDigits(prefix: "1", UInt64(sequenceNumber.shardIndex), width: 6, sequenceNumber.counter, width: 18)
    }

    /// `"shardId-000000000001"`
    mutating func shardId(_ shardId: ShardID) {
        paddedDigits(prefix: "shardId-", UInt64(shardId.index), width: 12)
    }
}
