import Foundation
import KinesisStream
import RaceModel
import Storage
import Testing
@testable import Firehose

@Suite struct DeliveryStreamTests {
    @Test func sizeTriggersDeliveryAtExactlyOneMebibyte() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try rig.firehose(processor: PassThroughProcessor())
        // 15 × 65,536 + 65,535 = 1,048,575 bytes: one short of the hint.
        try rig.put(bytes: Array(repeating: 65_536, count: 15) + [65_535])
        firehose.pump()
        #expect(rig.keys().isEmpty)
        try rig.put(bytes: [1])
        firehose.pump()
        #expect(rig.keys().count == 1)
        let object = try Gzip.decompress(rig.bucket.get(key: rig.keys()[0]))
        #expect(object.count == 1_048_576)
        #expect(firehose.metrics.delivered == 17)
        #expect(firehose.metrics.objects == 1)
        #expect(firehose.metrics.bytesUncompressed == 1_048_576)
    }

    @Test func intervalTriggersDeliveryAtExactlySixtySeconds() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try rig.firehose()
        try rig.put([rider(1)])
        firehose.pump()
        rig.clock.advance(byMillis: 59_999)
        firehose.pump()
        #expect(rig.keys().isEmpty)
        rig.clock.advance(byMillis: 1)
        firehose.pump()
        #expect(rig.keys().count == 1)
        #expect(firehose.metrics.deliveryLatencyMillis == [60_000])
    }

    @Test func zeroIntervalDeliversEveryPump() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try rig.firehose(hints: BufferingHints(intervalInSeconds: 0))
        try rig.put([rider(1)])
        firehose.pump()
        try rig.put([rider(2)])
        firehose.pump()
        #expect(firehose.metrics.objects == 2)
    }

    @Test func objectKeyFollowsTheFirstRecordsTimeInUTC() throws {
        let rig = Rig(start: 1_700_000_000_000)
        defer { rig.remove() }
        let firehose = try rig.firehose()
        try rig.put([rider(1)])
        firehose.pump()
        firehose.flush()
        #expect(rig.keys() == ["2023/11/14/22/alleycat-data-firehose-1-2023-11-14-22-13-20-910a2dec-8902-5cc1-beeb-8da1658eec67.gz"])
    }

    @Test func gunzipReadsBackTheExactTransformedLines() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try rig.firehose()
        try rig.put([rider(1, cadence: "61", resistance: "54"), rider(2, cadence: "30.5", resistance: "33"), rider(3, cadence: "90", resistance: "86")])
        firehose.pump()
        firehose.flush()
        #expect(try rig.lines(rig.keys()[0]) == [
            String(rider(1, cadence: "61", resistance: "54").dropLast()) + #","output":114.24}"#,
            String(rider(2, cadence: "30.5", resistance: "33").dropLast()) + #","output":64.19}"#,
            String(rider(3, cadence: "90", resistance: "86").dropLast()) + #","output":188.75}"#,
            "",
        ])
    }

    @Test func oneBadRecordFailsAloneWithItsReason() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try rig.firehose()
        try rig.put([rider(1), rider(2, cadence: "-3"), "not json", rider(4)])
        firehose.pump()
        firehose.flush()
        let delivered = try rig.lines(rig.keys()[0])
        #expect(delivered.count == 3)
        #expect(delivered[0].contains(#""racerId":1,"#) && delivered[1].contains(#""racerId":4,"#))
        let failedKeys = rig.keys(ObjectKeys.failedPrefix)
        #expect(failedKeys.count == 1)
        #expect(failedKeys[0].hasPrefix("processing-failed/2023/11/14/22/alleycat-data-firehose-1-2023-11-14-22-13-20-"))
        let lines = try rig.lines(failedKeys[0]).dropLast().map(failedLine)
        #expect(lines.count == 2)
        #expect(lines[0]["errorMessage"] as? String == "cadence is -3, must be >= 0")
        #expect(lines[0]["errorCode"] as? String == "Lambda.ProcessingFailed")
        #expect(lines[0]["attemptsMade"] as? Int == 1)
        #expect(lines[0]["processor"] as? String == "alleycat-output")
        #expect(lines[0]["rawData"] as? String == Data(rider(2, cadence: "-3").utf8).base64EncodedString())
        #expect(lines[1]["errorMessage"] as? String == "not valid JSON: unexpected 'n' at byte 0")
        #expect(firehose.metrics.delivered == 2)
        #expect(firehose.metrics.failed == 2)
        #expect(firehose.metrics.failedObjects == 1)
    }

    @Test func failedInvocationsAreRetriedThenSetAsideWithEveryField() throws {
        struct Broken: RecordProcessor {
            let name = "broken"
            func process(_ records: [ProcessorRecord]) throws(ProcessorError) -> ProcessedBatch {
                throw ProcessorError(code: "Lambda.FunctionError", message: "boom")
            }
        }
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try rig.firehose(processor: Broken())
        try rig.put([rider(1), rider(2)])
        rig.clock.advance(byMillis: 250)
        firehose.pump()
        firehose.flush()
        #expect(rig.keys().isEmpty)
        let lines = try rig.lines(rig.keys(ObjectKeys.failedPrefix)[0]).dropLast().map(failedLine)
        #expect(lines.count == 2)
        let expected: [String: Any] = [
            "attemptsMade": 4, "arrivalTimestamp": 1_700_000_000_000, "errorCode": "Lambda.FunctionError",
            "errorMessage": "boom", "attemptEndingTimestamp": 1_700_000_000_250,
            "rawData": Data(rider(1).utf8).base64EncodedString(), "processor": "broken",
        ]
        #expect(NSDictionary(dictionary: lines[0]) == NSDictionary(dictionary: expected))
        #expect(firehose.metrics.invocations == 4)
        #expect(firehose.metrics.invocationFailures == 4)
        #expect(firehose.metrics.failed == 2)
    }

    @Test func answersThatDoNotMatchTheBatchFailIt() throws {
        struct Wrong: RecordProcessor {
            let name = "wrong"
            let answer: @Sendable ([ProcessorRecord]) -> ProcessedBatch
            func process(_ records: [ProcessorRecord]) throws(ProcessorError) -> ProcessedBatch { answer(records) }
        }
        let cases: [(@Sendable ([ProcessorRecord]) -> ProcessedBatch, String)] = [
            ({ _ in ProcessedBatch() }, "answer has 0 records for a batch of 2"),
            ({ records in ProcessedBatch(entries: records.map { .init(recordId: $0.recordId + 100, result: .ok, range: 0..<0) }) },
             "answer names recordId \"100\", which is not in the batch"),
            ({ records in ProcessedBatch(entries: records.map { _ in .init(recordId: records[0].recordId, result: .ok, range: 0..<0) }) },
             "answer names recordId \"0\" twice"),
        ]
        for (answer, message) in cases {
            let rig = Rig()
            defer { rig.remove() }
            let firehose = try rig.firehose(processor: Wrong(answer: answer), retries: 0)
            try rig.put([rider(1), rider(2)])
            firehose.pump()
            firehose.flush()
            let lines = try rig.lines(rig.keys(ObjectKeys.failedPrefix)[0]).dropLast().map(failedLine)
            #expect(lines.map { $0["errorMessage"] as? String } == [message, message])
        }
    }

    @Test func restartResumesFromTheCheckpointWithoutDuplicatesOrGaps() throws {
        let rig = Rig()
        defer { rig.remove() }
        let limits = ShardLimits(recordsPerSecond: 1_000_000, bytesPerSecond: 1 << 30)
        let log = rig.directory + "-stream"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let stream = try KinesisStream.durable(directory: log, limits: limits, clock: rig.clock)
        let put = { (range: Range<Int>) in
            _ = try stream.putRecords(range.map { PutRecordsRequestEntry(data: Array(rider($0).utf8), partitionKey: "k") })
        }
        try put(0..<30)
        let first = try rig.firehose(stream: stream)
        first.pump()
        first.flush()
        try put(30..<50)
        first.pump()  // buffered, not delivered: this run "crashes" here
        #expect(rig.keys().count == 1)

        // Same stream object (the consumer checkpoint) ...
        let second = try rig.firehose(stream: stream)
        second.pump()
        second.flush()
        // ... and the stream reopened from its log (a restarted process): the position is in the log.
        let reopened = try KinesisStream.durable(directory: log, limits: limits, clock: rig.clock)
        let third = try rig.firehose(stream: reopened)
        third.pump()
        third.flush()
        #expect(third.metrics.recordsIn == 0)

        let racers = try rig.keys().flatMap { try rig.lines($0).dropLast() }.map { line -> Int in
            try RecordParser.parse(Array(line.utf8)).racerId
        }
        #expect(racers == Array(0..<50))
        // The position is kept in one place, the stream's log: no file beside the objects.
        #expect(reopened.checkpoints(consumer: "firehose") == [ShardID(index: 0): SequenceNumber(shardIndex: 0, counter: 50)])
        #expect(!FileManager.default.fileExists(atPath: rig.directory + "/.checkpoints"))

        // Another stream (an in-memory one of a new process) does not take that position.
        let fresh = KinesisStream(limits: limits, clock: rig.clock)
        _ = try fresh.putRecords((0..<5).map { PutRecordsRequestEntry(data: Array(rider($0).utf8), partitionKey: "k") })
        let fourth = try rig.firehose(stream: fresh)
        fourth.pump()
        fourth.flush()
        #expect(fourth.metrics.recordsIn == 5)
    }

    @Test func invocationsAreCappedInSize() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try DeliveryStream(
            configuration: DeliveryStreamConfiguration(invocationCapBytes: 1000, parallelDeliveries: 1),
            source: EmbeddedSource(stream: rig.stream), checkpoints: EmbeddedSource(stream: rig.stream),
            processor: PassThroughProcessor(), bucket: rig.bucket, clock: rig.clock)
        try rig.put(bytes: [400, 400, 400, 1500, 10])
        firehose.pump()
        // [400, 400], [400], [1500] alone (over the cap), [10]
        #expect(firehose.metrics.invocations == 4)
    }

    @Test func parallelDeliveriesWriteEveryObject() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try DeliveryStream(
            configuration: DeliveryStreamConfiguration(bufferingHints: BufferingHints(intervalInSeconds: 0), parallelDeliveries: 2),
            source: EmbeddedSource(stream: rig.stream), checkpoints: EmbeddedSource(stream: rig.stream),
            processor: AlleycatProcessor(), bucket: rig.bucket, clock: rig.clock)
        for racer in 0..<20 {
            try rig.put([rider(racer)])
            firehose.pump()
        }
        firehose.flush()
        #expect(rig.keys().count == 20)
        #expect(firehose.metrics.objects == 20)
        #expect(rig.stream.checkpoints(consumer: "firehose") == [ShardID(index: 0): SequenceNumber(shardIndex: 0, counter: 20)])
    }
}
