import KinesisStream
import RaceModel
import Testing
@testable import Simulator

@Suite struct LoadRunTests {
    @Test func aWholeRaceAtTheShardLimitLosesNothing() {
        let clock = VirtualClock(startMillis: 1_700_000_000_000)
        let stream = KinesisStream(clock: clock)
        let plan = SimulationPlan(racers: 1000, classes: [1], seconds: 5, seed: 1, startMillis: 1_700_000_000_000)
        let summary = LoadRun(plan: plan, sink: stream, clock: clock).run()
        #expect(summary.generated == 5000)
        #expect(summary.accepted == 5000)
        #expect(summary.refusedAndRetried == 0)
        #expect(summary.lost == 0)
        #expect(summary.recordsPerShard == [5000])
        #expect(summary.putCalls == 10)
        #expect(summary.clockSeconds == 4)
    }

    @Test func refusedRecordsAreRetriedUntilAccepted() {
        // 150 riders a second into a shard that takes 100: 50 refused each second, retried
        // with backoff on the virtual clock until the next second's window takes them.
        let clock = VirtualClock(startMillis: 1_700_000_000_000)
        let stream = KinesisStream(limits: ShardLimits(recordsPerSecond: 100), clock: clock)
        let plan = SimulationPlan(racers: 150, classes: [1], seconds: 3, seed: 1, startMillis: 1_700_000_000_000, batchSize: 500)
        let summary = LoadRun(plan: plan, sink: stream, clock: clock).run()
        #expect(summary.generated == 450)
        #expect(summary.accepted == 450)
        #expect(summary.failed == 0)
        // The backlog grows by 50 a second, so the last records get in after 4.5 s of race time.
        #expect(summary.refusedAndRetried == 1550)
        #expect(summary.clockSeconds == 4.891)
        #expect(stream.listShards()[0].recordCount == 450)
    }

    @Test func theRetryBudgetEndsInFailuresCounted() {
        let clock = VirtualClock(startMillis: 0)
        let stream = KinesisStream(limits: ShardLimits(recordsPerSecond: 1), clock: clock)
        let plan = SimulationPlan(racers: 3, classes: [1], seconds: 1, seed: 1, startMillis: 0)
        // Two retries 50–100 ms apart stay inside the first second: only the first record gets in.
        let retry = RetryPolicy(baseDelayMillis: 50, maximumDelayMillis: 100, maximumRetries: 2)
        let summary = LoadRun(plan: plan, sink: stream, clock: clock, retry: retry).run()
        #expect(summary.accepted == 1)
        #expect(summary.refusedAndRetried == 4)
        #expect(summary.failed == 2)
        #expect(summary.lost == 2)
    }

    @Test func wholeCallErrorsAreCountedWithTheirMessage() {
        struct Broken: PutRecordsSink {
            func putRecords(_ entries: [PutRecordsRequestEntry]) throws(StreamError) -> PutRecordsResponse {
                throw .validation("nope")
            }
        }
        let clock = VirtualClock(startMillis: 0)
        let plan = SimulationPlan(racers: 2, classes: [1], seconds: 2, seed: 1, startMillis: 0)
        let summary = LoadRun(plan: plan, sink: Broken(), clock: clock).run()
        #expect(summary.failed == 4)
        #expect(summary.callErrors == ["ValidationException: nope": 2])
    }

    @Test func spreadPacingSendsEachBatchAtItsShareOfTheSecond() {
        final class Times: PutRecordsSink, @unchecked Sendable {
            let clock: VirtualClock
            var sent: [Int64] = []
            init(clock: VirtualClock) { self.clock = clock }
            func putRecords(_ entries: [PutRecordsRequestEntry]) throws -> PutRecordsResponse {
                sent.append(clock.nowMillis())
                return PutRecordsResponse(failedPutCount: 0, records: entries.map { _ in
                    .accepted(shardId: ShardID(index: 0), sequenceNumber: SequenceNumber(shardIndex: 0, counter: 1))
                })
            }
        }
        let plan = SimulationPlan(racers: 3, classes: [1], seconds: 2, seed: 1, startMillis: 0, batchSize: 1)
        for (pacing, expected) in [(Pacing.burst, [Int64(0), 0, 0, 1000, 1000, 1000]), (.spread, [0, 333, 666, 1000, 1333, 1666])] {
            let clock = VirtualClock(startMillis: 0)
            let sink = Times(clock: clock)
            let summary = LoadRun(plan: plan, sink: sink, clock: clock, pacing: pacing).run()
            #expect(summary.accepted == 6)
            #expect(sink.sent == expected, "\(pacing)")
        }
    }

    @Test func backoffDoublesWithEqualJitter() {
        let policy = RetryPolicy(baseDelayMillis: 50, maximumDelayMillis: 2000, maximumRetries: 20)
        var rng = SplitMix64(seed: 1)
        for (retry, step) in [(1, 50), (2, 100), (3, 200), (6, 1600), (7, 2000), (12, 2000)] {
            for _ in 0..<50 {
                let delay = policy.delayMillis(retry: retry, rng: &rng)
                #expect(delay >= Int64(step / 2) && delay <= Int64(step), "retry \(retry): \(delay)")
            }
        }
    }
}
