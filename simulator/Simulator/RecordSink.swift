import KinesisStream
import RaceModel

/// Where a load run puts its records: the in-process stream, or (later) a
/// Kinesis-compatible endpoint over HTTP.
public protocol RecordSink: Sendable {
    func putRecords(_ entries: [PutRecordsRequestEntry]) throws(StreamError) -> PutRecordsResponse
}

extension KinesisStream: RecordSink {}

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
