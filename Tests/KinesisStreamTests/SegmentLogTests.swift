import Foundation
@testable import KinesisStream
import RaceModel
import Testing

/// The durable stream's segment log: write, restart, exact rebuild, torn tails, retention.
@Suite struct SegmentLogTests {
    private func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("stream-log-\(UUID().uuidString)").path
    }

    private func entry(_ key: String, _ text: String) -> PutRecordsRequestEntry {
        PutRecordsRequestEntry(data: Array(text.utf8), partitionKey: key)
    }

    private func all(_ stream: KinesisStream, shard: Int) throws -> [String] {
        let iterator = try stream.shardIterator(shardId: ShardID(index: shard), type: .trimHorizon)
        return try stream.getRecords(iterator).records.map { "\($0.sequenceNumber) \($0.partitionKey) \(String(decoding: Array($0.data), as: UTF8.self)) @\($0.approximateArrivalMillis)" }
    }

    /// A log of two records on shard 0 ("k1" "first", "k2" "second"): its segment's path and bytes.
    private func twoRecordLog(_ path: String, clock: VirtualClock) throws -> (segment: String, bytes: [UInt8]) {
        let stream = try KinesisStream.durable(directory: path, clock: clock)
        _ = try stream.putRecords([entry("k1", "first"), entry("k2", "second")])
        let segment = path + "/segment-000001.log"
        return (segment, try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment))))
    }

    @Test func restartRebuildsRecordsSequenceNumbersAndConsumerPositions() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = VirtualClock(startMillis: 1_000_000)
        var lines: [String] = []
        do {
            let stream = try KinesisStream.durable(directory: path, shardCount: 2, clock: clock, report: { lines.append($0) })
            // MD5("a") lands on shard 0 of 2, MD5("b") on shard 1.
            _ = try stream.putRecords([entry("a", "one"), entry("b", "two"), entry("a", "three")])
            clock.advance(byMillis: 1500)
            _ = try stream.putRecord(entry("b", "four"))
            try stream.setCheckpoints(consumer: "firehose", [SequenceNumber(shardIndex: 0, counter: 2), SequenceNumber(shardIndex: 1, counter: 1)])
            try stream.setCheckpoint(consumer: "ranking", sequenceNumber: SequenceNumber(shardIndex: 1, counter: 2))
        }
        #expect(lines == ["stream log \(path): 0 record(s) and 0 checkpoint(s) from 0 segment(s)"])
        let reopened = try KinesisStream.durable(directory: path, shardCount: 2, clock: clock, report: { lines.append($0) })
        #expect(lines.last == "stream log \(path): 4 record(s) and 3 checkpoint(s) from 1 segment(s)")
        #expect(try all(reopened, shard: 0) == [
            "1000000000000000000000001 a one @1000000", "1000000000000000000000002 a three @1000000",
        ])
        #expect(try all(reopened, shard: 1) == [
            "1000001000000000000000001 b two @1000000", "1000001000000000000000002 b four @1001500",
        ])
        #expect(reopened.checkpoints(consumer: "firehose") == [
            ShardID(index: 0): SequenceNumber(shardIndex: 0, counter: 2), ShardID(index: 1): SequenceNumber(shardIndex: 1, counter: 1),
        ])
        #expect(reopened.checkpoints(consumer: "ranking") == [ShardID(index: 1): SequenceNumber(shardIndex: 1, counter: 2)])
        // Sequence numbers go on from where the log ended.
        #expect(try reopened.putRecord(entry("a", "five")).sequenceNumber == SequenceNumber(shardIndex: 0, counter: 3))
        let identity = reopened.identity
        #expect(try KinesisStream.durable(directory: path, shardCount: 2, clock: clock).identity == identity)
        #expect(KinesisStream(clock: clock).identity != identity)
    }

    @Test func aTornLastRecordIsCutAtEveryByteAndNothingBeforeItIsLost() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = VirtualClock(startMillis: 5_000)
        let (_, whole) = try twoRecordLog(path, clock: clock)
        var lastFrame: [UInt8] = []
        LogFrame.appendRecord(shard: 0, counter: 2, arrivalMillis: 5_000, partitionKey: "k2", data: Array("second".utf8), to: &lastFrame)
        #expect(Array(whole.suffix(lastFrame.count)) == lastFrame)
        let start = whole.count - lastFrame.count
        for cut in start..<whole.count {
            let copy = directory()
            defer { try? FileManager.default.removeItem(atPath: copy) }
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
            try Data(whole.prefix(cut)).write(to: URL(fileURLWithPath: copy + "/segment-000001.log"))
            var lines: [String] = []
            let stream = try KinesisStream.durable(directory: copy, clock: clock, report: { lines.append($0) })
            let dropped = cut - start
            let expected = dropped == 0
                ? "stream log \(copy): 1 record(s) and 0 checkpoint(s) from 1 segment(s)"
                : "stream log \(copy): 1 record(s) and 0 checkpoint(s) from 1 segment(s); cut \(dropped) byte(s) of a record torn by a crash off \(copy)/segment-000001.log at byte \(start) (a record cut short)"
            #expect(lines == [expected], "cut at \(cut)")
            #expect(try all(stream, shard: 0) == ["1000000000000000000000001 k1 first @5000"], "cut at \(cut)")
            #expect(try FileManager.default.attributesOfItem(atPath: copy + "/segment-000001.log")[.size] as? Int == start)
            // The log goes on after the cut: the next record takes the lost one's number.
            #expect(try stream.putRecord(entry("k3", "again")).sequenceNumber == SequenceNumber(shardIndex: 0, counter: 2))
        }
    }

    @Test func aDamagedLastRecordIsCutAndADamagedOlderSegmentStopsTheStart() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = VirtualClock(startMillis: 5_000)
        var (segment, bytes) = try twoRecordLog(path, clock: clock)
        // Frames here are 42 and 43 bytes (8 of header, 29 of fields, key and data); flip a data byte of the second.
        bytes[bytes.count - 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        var lines: [String] = []
        let stream = try KinesisStream.durable(directory: path, clock: clock, report: { lines.append($0) })
        #expect(lines.first?.hasSuffix("from 1 segment(s); cut 43 byte(s) of a record torn by a crash off \(segment) at byte 42 (checksum mismatch)") == true)
        #expect(try all(stream, shard: 0).count == 1)

        // A newer segment after a damaged one: the damage is not a torn tail.
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        try Data().write(to: URL(fileURLWithPath: path + "/segment-000002.log"))
        #expect(throws: StreamLogError("segment \(segment) is damaged at byte 42 (checksum mismatch) and is not the newest: move it and the segments before it away to start from what follows")) {
            try KinesisStream.durable(directory: path, clock: clock)
        }
    }

    @Test func segmentsRollAndExpireWithCheckpointsCarriedForward() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = VirtualClock(startMillis: 0)
        let stream = try KinesisStream.durable(directory: path, retentionMillis: 10_000, segmentBytes: 200, clock: clock)
        for second in 0..<6 {
            clock.advance(toMillis: Int64(second) * 5_000)
            _ = try stream.putRecords([entry("a", String(repeating: "x", count: 100))])
            try stream.setCheckpoint(consumer: "firehose", sequenceNumber: SequenceNumber(shardIndex: 0, counter: UInt64(second + 1)))
        }
        // Each 150-byte record fills a 200-byte segment; those older than 10 s are gone.
        #expect(stream.log.segmentNames == ["segment-000004.log", "segment-000005.log", "segment-000006.log"])
        let reopened = try KinesisStream.durable(directory: path, retentionMillis: 10_000, segmentBytes: 200, clock: clock)
        #expect(try all(reopened, shard: 0).map { String($0.prefix(25)) } == [
            "1000000000000000000000004", "1000000000000000000000005", "1000000000000000000000006",
        ])
        #expect(reopened.checkpoints(consumer: "firehose") == [ShardID(index: 0): SequenceNumber(shardIndex: 0, counter: 6)])
        #expect(try reopened.putRecord(entry("a", "next")).sequenceNumber == SequenceNumber(shardIndex: 0, counter: 7))
    }

    @Test func aLogOfMoreShardsThanTheStreamHasIsRefused() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = VirtualClock(startMillis: 0)
        _ = try KinesisStream.durable(directory: path, shardCount: 2, clock: clock).putRecord(entry("b", "x"))
        #expect(throws: StreamLogError("the stream log in \(path) has records of shard shardId-000000000001, but the stream has 1 shard(s): start with --shards 2 or more, or move \(path) away")) {
            try KinesisStream.durable(directory: path, shardCount: 1, clock: clock)
        }
    }
}
