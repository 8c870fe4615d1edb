import KinesisStream
import RaceModel

/// Where a load run puts its records: the in-process stream, a Kinesis-compatible
/// endpoint over HTTP (`HTTPRecordSink`), or an MQTT broker (`MQTTRecordSink`).
public protocol RecordSink: Sendable {
    /// What became of each record, in order. Throws `SinkUnavailable` when nothing of the
    /// call was taken and it may be tried again whole; any other error fails the call's records.
    func put(_ entries: [PutRecordsRequestEntry]) throws -> [RecordPut]
}

/// One record of a put: taken (by the shard of that index, when the sink has shards), or refused and to be sent again.
public enum RecordPut: Sendable, Equatable {
    case accepted(shardIndex: Int?)
    case refused
}

/// A sink that answers as Kinesis's PutRecords does.
public protocol PutRecordsSink: RecordSink {
    func putRecords(_ entries: [PutRecordsRequestEntry]) throws -> PutRecordsResponse
}

extension PutRecordsSink {
    public func put(_ entries: [PutRecordsRequestEntry]) throws -> [RecordPut] {
        try putRecords(entries).records.map { result in
            switch result {
            case let .accepted(shardId, _): .accepted(shardIndex: shardId.index)
            case .refused: .refused
            }
        }
    }
}

extension KinesisStream: PutRecordsSink {}

/// A call that took nothing and may be retried after a backoff (throttled, or no answer).
public struct SinkUnavailable: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// A call refused whole for a reason a retry does not fix (bad key, bad request).
public struct SinkRefusal: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// Exponential backoff with equal jitter for records refused for throughput.
public struct RetryPolicy: Sendable, Equatable {
    public var baseDelayMillis: Int64
    public var maximumDelayMillis: Int64
    /// Retries after the first attempt before a record counts as failed for good.
    public var maximumRetries: Int

    public init(baseDelayMillis: Int64 = 50, maximumDelayMillis: Int64 = 2000, maximumRetries: Int = 20) {
        self.baseDelayMillis = baseDelayMillis
        self.maximumDelayMillis = maximumDelayMillis
        self.maximumRetries = maximumRetries
    }

    public static let standard = RetryPolicy()

    /// Delay before retry number `retry` (1-based): half the exponential step plus a random half.
    public func delayMillis(retry: Int, rng: inout SplitMix64) -> Int64 {
        let step = min(maximumDelayMillis, baseDelayMillis << Int64(min(retry - 1, 30)))
        let half = step / 2
        return half + Int64(rng.next() % UInt64(max(1, step - half + 1)))
    }
}
