import Foundation
import KinesisStream
import RaceModel
import Storage
import Testing
@testable import Firehose

/// A delivery that cannot be written is tried again with backoff on the clock, and
/// nothing waits for a restart. The failure is real: a file where the object's folder
/// must go (the write fails with ENOTDIR until it is removed).
@Suite struct DeliveryRetryTests {
    @Test func aFailedDeliveryIsRetriedWithBackoffUntilItIsWritten() throws {
        let rig = Rig(start: 1_700_000_000_000)
        defer { rig.remove() }
        let blocker = rig.directory + "/2023"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("in the way".utf8)))
        let firehose = try rig.firehose()
        try rig.put((0..<3).map { rider($0) })
        firehose.pump()
        firehose.flush()

        let failing = firehose.health
        #expect(failing.isFailing)
        #expect(failing.attempts == 1)
        #expect(failing.failingSinceMillis == 1_700_000_000_000)
        #expect(failing.retryAtMillis == 1_700_000_001_000)
        #expect(failing.lastError == "cannot create directory \(blocker)/11/14/22: Not a directory")
        #expect(firehose.waitingDeliveries == 1)
        #expect(firehose.metrics.deliveryErrors == 1)
        #expect(firehose.metrics.objects == 0)
        #expect(rig.stream.checkpoints(consumer: "firehose").isEmpty)

        // While a delivery waits, nothing new is read: those records stay in the stream.
        try rig.put((3..<5).map { rider($0) })
        rig.clock.advance(byMillis: 999)
        firehose.pump()
        #expect(firehose.health.attempts == 1)
        #expect(firehose.metrics.recordsIn == 3)

        rig.clock.advance(byMillis: 1)
        firehose.pump()
        #expect(firehose.health.attempts == 2)
        #expect(firehose.health.retryAtMillis == 1_700_000_003_000)  // the wait doubles
        #expect(firehose.metrics.deliveryErrors == 2)

        try FileManager.default.removeItem(atPath: blocker)
        rig.clock.advance(byMillis: 1999)
        firehose.pump()
        #expect(firehose.metrics.objects == 0)
        rig.clock.advance(byMillis: 1)
        firehose.pump()
        #expect(!firehose.health.isFailing)
        #expect(firehose.health.recoveries == 1)
        #expect(firehose.health.totalFailures == 2)
        #expect(firehose.waitingDeliveries == 0)
        #expect(firehose.metrics.objects == 1)
        #expect(firehose.metrics.recordsIn == 5)
        firehose.flush()

        let keys = rig.keys()
        #expect(keys.count == 2)
        let racers = try keys.map { key in try rig.lines(key).dropLast().map { try RecordParser.parse(Array($0.utf8)).racerId } }
        #expect(racers.sorted { $0[0] < $1[0] } == [[0, 1, 2], [3, 4]])
        #expect(rig.stream.checkpoints(consumer: "firehose") == [ShardID(index: 0): SequenceNumber(shardIndex: 0, counter: 5)])
        // Every record arrived at the start: both objects were written 3 s later.
        #expect(firehose.metrics.deliveryLatencyMillis == [3000, 3000])
    }

    @Test func theWaitDoublesUpToThirtySeconds() {
        #expect((1...7).map { StageHealth.retryDelayMillis(afterAttempts: $0) } == [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
        #expect(StageHealth.retryDelayMillis(afterAttempts: 1000) == 30_000)
    }

    @Test func healthSaysWhenToLogAndWhatIsFailing() {
        var health = StageHealth()
        #expect(health.describeFailure(nowMillis: 0) == "ok")
        let lines = [
            health.failed("disk full", nowMillis: 10_000),
            health.failed("disk full", nowMillis: 11_000),
            health.failed("no descriptors", nowMillis: 13_000),
        ]
        #expect(lines == [true, false, true])
        #expect(health.describeFailure(nowMillis: 25_500) == "failing for 15 s after 3 attempts: no descriptors")
        #expect(health.retryAtMillis == 17_000)
        #expect(health.isDue(nowMillis: 17_000) && !health.isDue(nowMillis: 16_999))
        let recoveries = [health.succeeded(), health.succeeded()]
        #expect(recoveries == [true, false])
        #expect(!health.isFailing && health.totalFailures == 3 && health.recoveries == 1 && health.retryAtMillis == nil)
    }
}
