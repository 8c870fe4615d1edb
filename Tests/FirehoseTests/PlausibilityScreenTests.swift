import Foundation
import Testing
import KinesisStream
import RaceModel
@testable import Firehose

@Suite struct PlausibilityScreenTests {
    @Test func implausibleRecordsInAValidBatchAreSetAsideWithTheLimitAndTheRestLands() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try rig.firehose()
        // Racer 4's second 2 is (160 + 35) × (100 + 65) / 100 = 321.75 after 109.25 at second 1.
        try rig.put([
            rider(1), rider(2, cadence: "250"), rider(3, resistance: "100.5"), rider(4),
            rider(1, second: 2, cadence: "61"), rider(4, second: 2, cadence: "160", resistance: "100"), rider(4, second: 3, cadence: "60"),
        ])
        firehose.pump()
        firehose.flush()
        let delivered = try rig.lines(rig.keys()[0]).dropLast()
        #expect(delivered.map { $0.contains(#""racerId":1,"#) ? 1 : $0.contains(#""racerId":4,"#) ? 4 : 0 } == [1, 4, 1, 4])
        let failed = try rig.lines(rig.keys(ObjectKeys.failedPrefix)[0]).dropLast().map(failedLine)
        #expect(failed.map { $0["errorMessage"] as? String } == [
            "cadence is 250, above class 1's plausibility limit of 200 rpm",
            "resistance is 100.5, above class 1's plausibility limit of 100",
            "output is 321.75, a change of 212.5 from second 1's 109.25, above class 1's plausibility limit of 100 a second",
        ])
        #expect(failed.allSatisfy { $0["errorCode"] as? String == "Alleycat.PlausibilityLimit" && $0["processor"] as? String == "plausibility-limits" })
        #expect(failed[0]["rawData"] as? String == Data(rider(2, cadence: "250").utf8).base64EncodedString())
        #expect(firehose.metrics.delivered == 4)
        #expect(firehose.metrics.failed == 3)
        #expect(firehose.metrics.implausible == 3)
    }

    @Test func anotherProcessorsOutputIsScreenedToo() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try rig.firehose(processor: PassThroughProcessor())
        try rig.put([rider(1), rider(2, cadence: "1000", resistance: "1000"), "not a rider record"])
        firehose.pump()
        firehose.flush()
        let failed = try rig.lines(rig.keys(ObjectKeys.failedPrefix)[0]).dropLast().map(failedLine)
        #expect(failed.map { $0["errorMessage"] as? String } == ["cadence is 1000, above class 1's plausibility limit of 200 rpm"])
        // What the screen cannot read as a rider record is the processor's business: delivered as it answered.
        #expect(firehose.metrics.delivered == 2)
    }

    @Test func withoutLimitsEveryRecordWithinTheContractLands() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try DeliveryStream(
            configuration: DeliveryStreamConfiguration(parallelDeliveries: 1, objectKeySeed: 0, plausibility: nil),
            source: EmbeddedSource(stream: rig.stream), checkpoints: EmbeddedSource(stream: rig.stream), bucket: rig.bucket, clock: rig.clock)
        try rig.put([rider(2, cadence: "1000", resistance: "1000")])
        firehose.pump()
        firehose.flush()
        #expect(try rig.lines(rig.keys()[0]).first?.hasSuffix(#""output":11022.75}"#) == true)
        #expect(firehose.metrics.failed == 0)
    }

    @Test func aJumpIsMeasuredFromTheRacersPreviousSecondOfTheSameRaceOnly() {
        var screen = PlausibilityScreen(plausibility: .standard)
        func record(_ racerId: Int, raceId: Int64 = 1, second: Int, output: Int64) -> ScreenedRecord {
            var message = RaceMessage(
                event: .update, deviceTimestamp: 0, second: second, raceId: raceId, name: "n", racerId: racerId, classId: 1,
                cadence: DecimalNumber(60), resistance: DecimalNumber(50))
            message.output = DecimalNumber(mantissa: output)
            return ScreenedRecord(message)
        }
        #expect(screen.check(record(1, second: 1, output: 100)) == nil)
        #expect(screen.check(record(1, second: 3, output: 300)) == nil)  // second 2 never came
        #expect(screen.check(record(1, second: 4, output: 401))?.limit == .outputJump)
        #expect(screen.check(record(1, second: 4, output: 400)) == nil)
        #expect(screen.check(record(1, raceId: 2, second: 5, output: 100)) == nil)  // a new race
        #expect(screen.check(record(1, raceId: 1, second: 5, output: 900)) == nil)  // an older race: nothing to compare with
    }
}
