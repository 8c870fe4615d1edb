import KinesisStream
import RaceModel

/// Where a load run puts its records: the in-process stream, or a Kinesis-compatible
/// endpoint over HTTP (`HTTPRecordSink`).
public protocol RecordSink: Sendable {
    /// Throws `SinkUnavailable` when nothing of the call was taken and it may be tried
    /// again whole; any other error fails the call's records.
    func putRecords(_ entries: [PutRecordsRequestEntry]) throws -> PutRecordsResponse
}

extension KinesisStream: RecordSink {}

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
