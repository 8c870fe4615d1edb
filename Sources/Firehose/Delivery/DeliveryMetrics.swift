import RaceModel

/// Counters of a delivery stream since it started.
public struct DeliveryMetrics: Sendable, Equatable {
    public var recordsIn = 0
    public var delivered = 0
    public var dropped = 0
    /// Records set aside under processing-failed/ (all reasons).
    public var failed = 0
    /// Of `failed`, records beyond their class's plausibility limits.
    public var implausible = 0
    public var objects = 0
    public var failedObjects = 0
    /// Transformed NDJSON bytes written, before and after gzip.
    public var bytesUncompressed = 0
    public var bytesCompressed = 0
    public var invocations = 0
    public var invocationFailures = 0
    public var deliveryErrors = 0
    /// Arrival in the stream of an object's oldest record to the object written, on the clock.
    public var deliveryLatencyMillis: [Int64] = []

    public func latencyPercentile(_ percentile: Double) -> Int64 {
        deliveryLatencyMillis.sorted().nearestRankPercentile(percentile)
    }
}
