import Testing
import RaceModel
@testable import KinesisStream

@Suite struct PutRecordsTests {
    @Test func answersEachRecordInOrderWithIncreasingSequenceNumbers() throws {
        let stream = KinesisStream(shardCount: 2, clock: VirtualClock())
        let response = try stream.putRecords([entry("a", key: "racer-1"), entry("b", key: "alleycat"), entry("c", key: "racer-1")])
        #expect(response.failedPutCount == 0)
        #expect(response.records == [
            .accepted(shardId: ShardID(index: 1), sequenceNumber: SequenceNumber(shardIndex: 1, counter: 1)),
            .accepted(shardId: ShardID(index: 0), sequenceNumber: SequenceNumber(shardIndex: 0, counter: 1)),
            .accepted(shardId: ShardID(index: 1), sequenceNumber: SequenceNumber(shardIndex: 1, counter: 2)),
        ])
    }

    @Test func explicitHashKeyReplacesTheHash() throws {
        let stream = KinesisStream(shardCount: 2, clock: VirtualClock())
        let response = try stream.putRecords([entry("a", key: "racer-1", explicit: "0")])
        #expect(response.records == [.accepted(shardId: ShardID(index: 0), sequenceNumber: SequenceNumber(shardIndex: 0, counter: 1))])
    }

    @Test func putRecordAnswersOneRecord() throws {
        let stream = KinesisStream(shardCount: 3, clock: VirtualClock())
        let result = try stream.putRecord(entry("x", key: "racer-1"))
        #expect(result.shardId == ShardID(index: 2))
        #expect(result.sequenceNumber.description == "1000002000000000000000001")
    }

    @Test func validationErrors() {
        let stream = KinesisStream(clock: VirtualClock())
        #expect(validationMessage { _ = try stream.putRecords([]) } == "ValidationException: PutRecords needs at least 1 record, got 0")
        #expect(validationMessage { _ = try stream.putRecords(entries(501)) } == "ValidationException: PutRecords takes at most 500 records, got 501: split the batch")
        #expect(validationMessage { _ = try stream.putRecords([entry("a"), entry("b", key: "")]) } == "ValidationException: records[1].PartitionKey is 0 characters long, must be 1 to 256")
        #expect(validationMessage { _ = try stream.putRecords([entry("a", key: String(repeating: "k", count: 257))]) } == "ValidationException: records[0].PartitionKey is 257 characters long, must be 1 to 256")
        let big = PutRecordsRequestEntry(data: [UInt8](repeating: 0, count: 1_048_576), partitionKey: "k")
        #expect(validationMessage { _ = try stream.putRecords([entry("a"), big]) } == "ValidationException: records[1] is 1048577 bytes of data and partition key, at most 1048576 (1 MiB) allowed")
        let sixMiB = entries(6, size: 1_048_575)
        #expect(validationMessage { _ = try stream.putRecords(sixMiB) } == "InvalidArgumentException: Records size exceeds 5 MB limit")
        // As Kinesis does, the total is checked before each record's own size.
        let sixOversized = entries(6, size: 1_048_576)
        #expect(validationMessage { _ = try stream.putRecords(sixOversized) } == "InvalidArgumentException: Records size exceeds 5 MB limit")
        #expect(validationMessage { _ = try stream.putRecords([entry("a", explicit: "12x")]) } == "ValidationException: records[0].ExplicitHashKey '12x' is not a decimal integer in 0...2^128-1")
        #expect(validationMessage { _ = try stream.putRecord(entry("a", key: "")) } == "ValidationException: record.PartitionKey is 0 characters long, must be 1 to 256")
        // A refused call stores nothing.
        #expect(stream.listShards()[0].recordCount == 0)
    }

    @Test func limitsAreInclusive() throws {
        let stream = KinesisStream(limits: ShardLimits(recordsPerSecond: 10_000, bytesPerSecond: 100 << 20), clock: VirtualClock())
        #expect(try stream.putRecords(entries(500)).failedPutCount == 0)
        #expect(try stream.putRecords([PutRecordsRequestEntry(data: [UInt8](repeating: 0, count: 1_048_575), partitionKey: "k")]).failedPutCount == 0)
        #expect(try stream.putRecords([entry("a", key: String(repeating: "é", count: 256))]).failedPutCount == 0)
        #expect(try stream.putRecords(entries(5, size: 1_048_575)).failedPutCount == 0)
    }
}
