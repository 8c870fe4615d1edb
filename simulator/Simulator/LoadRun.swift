import Histogram
import KinesisStream
import RaceModel

/// Figures of a finished load run.
public struct SimulationSummary: Sendable, Equatable {
    public var generated = 0
    public var accepted = 0
    /// Refusals (ProvisionedThroughputExceeded) that were retried.
    public var refusedAndRetried = 0
    /// Records given up on after the retry budget, or lost with a failed call.
    public var failed = 0
    public var recordsPerShard: [Int] = []
    public var putCalls = 0
    public var putLatencyP50Micros: UInt64 = 0
    public var putLatencyP99Micros: UInt64 = 0
    public var wallSeconds = 0.0
    /// Race time covered on the run's clock.
    public var clockSeconds = 0.0
    /// Whole-call errors, by message (should be empty).
    public var callErrors: [String: Int] = [:]

    public var lost: Int { generated - accepted }
    public var messagesPerSecond: Double { wallSeconds > 0 ? Double(accepted) / wallSeconds : 0 }
}

/// Where a run stands, reported after each race second.
public struct LoadProgress: Sendable {
    public var race: Int
    public var second: Int
    public var generated: Int
    public var accepted: Int
    public var total: Int
    public var fraction: Double { total > 0 ? Double(generated) / Double(total) : 1 }
}

/// Sends a plan's messages to a sink, paced by a clock: each race second's
/// messages go out at that second (a virtual clock jumps there, a system clock
/// waits), in PutRecords batches, retrying refused records with backoff.
public final class LoadRun {
    public let plan: SimulationPlan
    public let sink: any RecordSink
    public let clock: any EpochClock
    public let retry: RetryPolicy
    /// Called after each race second has been put (for progress lines, or for the
    /// in-process pipeline to let its stages catch up).
    public var afterSecond: ((LoadProgress) -> Void)?

    public init(plan: SimulationPlan, sink: any RecordSink, clock: any EpochClock, retry: RetryPolicy = .standard) {
        self.plan = plan
        self.sink = sink
        self.clock = clock
        self.retry = retry
    }

    public func run() -> SimulationSummary {
        var summary = SimulationSummary()
        var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        var jitter = SplitMix64(seed: SplitMix64.mix(plan.seed ^ 0x6A69_7474))
        let wallStart = SystemClock.monotonicNanos()
        let clockStart = clock.nowMillis()
        // Messages are built on a second thread a few race seconds ahead, so building
        // and putting use both cores; the order and bytes are the same either way.
        let seconds = GeneratedSeconds(plan: plan, depth: 4)

        while let second = seconds.next() {
            clock.sleep(untilMillis: second.sendMillis)
            summary.generated += second.count
            for batch in second.batches {
                put(batch, summary: &summary, latency: &latency, jitter: &jitter)
            }
            let progress = LoadProgress(
                race: second.race, second: second.second, generated: summary.generated, accepted: summary.accepted,
                total: plan.totalMessages)
            seconds.recycle(second)
            afterSecond?(progress)
        }
        summary.wallSeconds = Double(SystemClock.monotonicNanos() - wallStart) / 1e9
        summary.clockSeconds = Double(clock.nowMillis() - clockStart) / 1000
        summary.putLatencyP50Micros = latency.valueAtPercentile(50)
        summary.putLatencyP99Micros = latency.valueAtPercentile(99)
        return summary
    }

    /// One batch, retried until every record is accepted or the budget runs out.
    private func put(
        _ batch: [PutRecordsRequestEntry], summary: inout SimulationSummary, latency: inout Histogram<UInt64>,
        jitter: inout SplitMix64
    ) {
        var pending = batch
        var retries = 0
        while true {
            let started = SystemClock.monotonicNanos()
            let response: PutRecordsResponse
            do {
                response = try sink.putRecords(pending)
            } catch {
                summary.callErrors[error.description, default: 0] += 1
                summary.failed += pending.count
                return
            }
            summary.putCalls += 1
            _ = latency.record(UInt64(max(0, SystemClock.monotonicNanos() - started) / 1000))
            var refused: [PutRecordsRequestEntry] = []
            for (entry, result) in zip(pending, response.records) {
                switch result {
                case let .accepted(shardId, _):
                    if shardId.index >= summary.recordsPerShard.count {
                        summary.recordsPerShard.append(contentsOf: repeatElement(0, count: shardId.index + 1 - summary.recordsPerShard.count))
                    }
                    summary.recordsPerShard[shardId.index] += 1
                    summary.accepted += 1
                case .refused:
                    refused.append(entry)
                }
            }
            if refused.isEmpty { return }
            if retries == retry.maximumRetries {
                summary.failed += refused.count
                return
            }
            retries += 1
            summary.refusedAndRetried += refused.count
            clock.sleep(untilMillis: clock.nowMillis() + retry.delayMillis(retry: retries, rng: &jitter))
            pending = refused
        }
    }
}
