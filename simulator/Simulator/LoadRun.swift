import Foundation
import Histogram
import KinesisStream
import RaceModel
import Synchronization

/// Figures of a finished load run.
public struct SimulationSummary: Sendable, Equatable {
    public var generated = 0
    public var accepted = 0
    /// Refusals (ProvisionedThroughputExceeded) that were retried.
    public var refusedAndRetried = 0
    /// Records given up on after the retry budget, or lost with a failed call.
    public var failed = 0
    /// Whole calls that took nothing (throttled by the endpoint, or no answer) and were sent again.
    public var callsRetried = 0
    public var recordsPerShard: [Int] = []
    public var putCalls = 0
    public var putLatencyP50Micros: UInt64 = 0
    public var putLatencyP99Micros: UInt64 = 0
    public var wallSeconds = 0.0
    /// Race time covered on the run's clock.
    public var clockSeconds = 0.0
    /// Whole-call errors, by message (should be empty).
    public var callErrors: [String: Int] = [:]
    /// What a put is called in the report: PutRecords, or MQTT publish batches.
    public var putName = "PutRecords calls"
    /// Over MQTT: from each publish to the results that include it arriving (`MQTTResultsWatch`).
    public var results: MQTTResultsWatch.Figures?

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
///
/// Pacing: `.burst` puts all of a second's batches at the start of the second (every
/// bike in step: the worst case for a consumer); `.spread` sends batch i of n at
/// i/n of the second, as unsynchronised bikes do. The messages are the same either way.
public enum Pacing: String, Sendable, CaseIterable {
    case burst, spread
}

/// Sends a plan's messages to a sink (see `Pacing`).
public final class LoadRun {
    public let plan: SimulationPlan
    public let sink: any RecordSink
    public let clock: any EpochClock
    public let retry: RetryPolicy
    /// Calls in flight at once: a second's batches are shared among this many senders.
    /// More than one is for a sink over the network, on a system clock.
    public let connections: Int
    /// When within its second each batch goes out.
    public let pacing: Pacing
    /// The clock backoff waits on: `clock`, except for a network run at full speed,
    /// whose race clock is virtual while the endpoint's throttling runs on real time.
    public let backoffClock: any EpochClock
    /// Called after each race second has been put (for progress lines, or for the
    /// in-process pipeline to let its stages catch up).
    public var afterSecond: ((LoadProgress) -> Void)?
    /// Asked before each second and each batch: true ends the run early (a service
    /// stopping on SIGINT or SIGTERM), with what was put so far in the summary.
    public var shouldStop: (@Sendable () -> Bool)?

    public init(
        plan: SimulationPlan, sink: any RecordSink, clock: any EpochClock, retry: RetryPolicy = .standard, connections: Int = 1,
        pacing: Pacing = .burst, backoffClock: (any EpochClock)? = nil
    ) {
        precondition(connections >= 1, "a load run needs at least one connection")
        self.plan = plan
        self.sink = sink
        self.clock = clock
        self.retry = retry
        self.connections = connections
        self.pacing = pacing
        self.backoffClock = backoffClock ?? clock
    }

    public func run() -> SimulationSummary {
        var tally = Tally(jitter: SplitMix64(seed: SplitMix64.mix(plan.seed ^ 0x6A69_7474)))
        let wallStart = SystemClock.monotonicNanos()
        let clockStart = clock.nowMillis()
        // Messages are built on a second thread a few race seconds ahead, so building
        // and putting use both cores; the order and bytes are the same either way.
        let seconds = GeneratedSeconds(plan: plan, depth: 4)
        var secondIndex: UInt64 = 0

        while shouldStop?() != true, let second = seconds.next() {
            clock.sleep(untilMillis: second.sendMillis)
            if connections == 1 || second.batches.count == 1 {
                for (index, batch) in second.batches.enumerated() where shouldStop?() != true {
                    sleepUntilSlot(index, of: second.batches.count, second: second.sendMillis)
                    tally.summary.generated += batch.count
                    put(batch, tally: &tally)
                }
            } else {
                tally.summary.generated += second.count
                secondIndex += 1
                tally.add(putConcurrently(second.batches, seed: plan.seed ^ secondIndex << 20, second: second.sendMillis))
            }
            let progress = LoadProgress(
                race: second.race, second: second.second, generated: tally.summary.generated, accepted: tally.summary.accepted,
                total: plan.totalMessages)
            seconds.recycle(second)
            afterSecond?(progress)
        }
        seconds.stop()
        var summary = tally.summary
        summary.wallSeconds = Double(SystemClock.monotonicNanos() - wallStart) / 1e9
        summary.clockSeconds = Double(clock.nowMillis() - clockStart) / 1000
        summary.putLatencyP50Micros = tally.latency.valueAtPercentile(50)
        summary.putLatencyP99Micros = tally.latency.valueAtPercentile(99)
        return summary
    }

    /// A second's batches shared among `connections` senders, each taking the next batch
    /// when its call is answered.
    private func putConcurrently(_ batches: [[PutRecordsRequestEntry]], seed: UInt64, second: Int64) -> Tally {
        let next = Mutex(0)
        let tallies = Mutex<[Tally]>([])
        let done = DispatchGroup()
        let sender = sender
        let pacing = pacing
        let clock = clock
        for senderIndex in 0..<min(connections, batches.count) {
            done.enter()
            let thread = Thread {
                var tally = Tally(jitter: SplitMix64(seed: SplitMix64.mix(seed ^ UInt64(senderIndex))))
                while true {
                    let index = next.withLock { index in
                        defer { index += 1 }
                        return index
                    }
                    guard index < batches.count else { break }
                    Self.sleepUntilSlot(index, of: batches.count, second: second, pacing: pacing, clock: clock)
                    sender.put(batches[index], tally: &tally)
                }
                tallies.withLock { $0.append(tally) }
                done.leave()
            }
            thread.start()
        }
        done.wait()
        return tallies.withLock { tallies in
            var total = Tally(jitter: SplitMix64(seed: seed))
            for tally in tallies { total.add(tally) }
            return total
        }
    }

    /// With `.spread` pacing, batch `index` of `count` waits for its share of the second.
    private func sleepUntilSlot(_ index: Int, of count: Int, second: Int64) {
        Self.sleepUntilSlot(index, of: count, second: second, pacing: pacing, clock: clock)
    }

    private static func sleepUntilSlot(_ index: Int, of count: Int, second: Int64, pacing: Pacing, clock: any EpochClock) {
        guard pacing == .spread, index > 0 else { return }
        clock.sleep(untilMillis: second + Int64(index) * 1000 / Int64(count))
    }

    private var sender: Sender { Sender(sink: sink, retry: retry, backoffClock: backoffClock) }

    private func put(_ batch: [PutRecordsRequestEntry], tally: inout Tally) {
        sender.put(batch, tally: &tally)
    }
}

/// Puts batches into the sink, retrying; one per connection.
private struct Sender: Sendable {
    let sink: any RecordSink
    let retry: RetryPolicy
    let backoffClock: any EpochClock

    /// One batch, retried until every record is accepted or the budget runs out. A call
    /// that took nothing (`SinkUnavailable`) is sent again whole after a backoff.
    func put(_ batch: [PutRecordsRequestEntry], tally: inout Tally) {
        var pending = batch
        var retries = 0
        while true {
            let started = SystemClock.monotonicNanos()
            let results: [RecordPut]
            do {
                results = try sink.put(pending)
            } catch let error as SinkUnavailable {
                guard retries < retry.maximumRetries else {
                    tally.summary.callErrors["\(error)", default: 0] += 1
                    tally.summary.failed += pending.count
                    return
                }
                retries += 1
                tally.summary.callsRetried += 1
                backoffClock.sleep(untilMillis: backoffClock.nowMillis() + retry.delayMillis(retry: retries, rng: &tally.jitter))
                continue
            } catch {
                tally.summary.callErrors["\(error)", default: 0] += 1
                tally.summary.failed += pending.count
                return
            }
            tally.summary.putCalls += 1
            _ = tally.latency.record(UInt64(max(0, SystemClock.monotonicNanos() - started) / 1000))
            var refused: [PutRecordsRequestEntry] = []
            for (entry, result) in zip(pending, results) {
                switch result {
                case let .accepted(shard):
                    if let shard { tally.summary.countShard(shard, 1) }
                    tally.summary.accepted += 1
                case .refused:
                    refused.append(entry)
                }
            }
            if refused.isEmpty { return }
            if retries == retry.maximumRetries {
                tally.summary.failed += refused.count
                return
            }
            retries += 1
            tally.summary.refusedAndRetried += refused.count
            backoffClock.sleep(untilMillis: backoffClock.nowMillis() + retry.delayMillis(retry: retries, rng: &tally.jitter))
            pending = refused
        }
    }
}

extension SimulationSummary {
    mutating func countShard(_ shard: Int, _ count: Int) {
        if shard >= recordsPerShard.count {
            recordsPerShard.append(contentsOf: repeatElement(0, count: shard + 1 - recordsPerShard.count))
        }
        recordsPerShard[shard] += count
    }
}

/// What one sender counted.
private struct Tally: Sendable {
    var summary = SimulationSummary()
    var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    var jitter: SplitMix64

    mutating func add(_ other: Tally) {
        summary.accepted += other.summary.accepted
        summary.refusedAndRetried += other.summary.refusedAndRetried
        summary.failed += other.summary.failed
        summary.callsRetried += other.summary.callsRetried
        summary.putCalls += other.summary.putCalls
        for (shard, count) in other.summary.recordsPerShard.enumerated() { summary.countShard(shard, count) }
        summary.callErrors.merge(other.summary.callErrors, uniquingKeysWith: +)
        latency.add(other.latency)
    }
}
