import Testing
import RaceModel
@testable import KinesisStream

@Suite struct ThrottlingTests {
    @Test func thousandRecordsPerSecondThenRefusedThenAcceptedNextSecond() throws {
        let clock = VirtualClock(startMillis: 1_700_000_000_000)
        let stream = KinesisStream(clock: clock)
        #expect(try stream.putRecords(entries(500)).failedPutCount == 0)
        clock.advance(byMillis: 999)
        #expect(try stream.putRecords(entries(500)).failedPutCount == 0)
        let over = try stream.putRecords(entries(1))
        #expect(over.failedPutCount == 1)
        #expect(over.records == [.refused(
            errorCode: .provisionedThroughputExceeded,
            errorMessage: "Rate exceeded for shard shardId-000000000000 in stream alleycat: more than 1000 records in one second; retry with backoff")])
        #expect(throws: StreamError.provisionedThroughputExceeded("Rate exceeded for shard shardId-000000000000 in stream alleycat: more than 1000 records in one second; retry with backoff")) {
            try stream.putRecord(entry("x"))
        }
        clock.advance(byMillis: 1)
        let next = try stream.putRecords(entries(1))
        #expect(next.records == [.accepted(shardId: ShardID(index: 0), sequenceNumber: SequenceNumber(shardIndex: 0, counter: 1001))])
    }

    @Test func oneMebibytePerSecond() throws {
        let clock = VirtualClock(startMillis: 0)
        let stream = KinesisStream(clock: clock)
        // 4 records of 262,143 data bytes + 1 key byte = exactly 1 MiB.
        #expect(try stream.putRecords(entries(4, size: 262_143)).failedPutCount == 0)
        let over = try stream.putRecords([entry("a")])
        #expect(over.records == [.refused(
            errorCode: .provisionedThroughputExceeded,
            errorMessage: "Rate exceeded for shard shardId-000000000000 in stream alleycat: more than 1048576 bytes in one second; retry with backoff")])
        clock.advance(byMillis: 1000)
        #expect(try stream.putRecords([entry("a")]).failedPutCount == 0)
    }

    @Test func partOfABatchIsRefusedAndTheRestKept() throws {
        let stream = KinesisStream(limits: ShardLimits(recordsPerSecond: 3), clock: VirtualClock())
        let response = try stream.putRecords(entries(5))
        #expect(response.failedPutCount == 2)
        #expect(response.records.map(\.isAccepted) == [true, true, true, false, false])
    }

    @Test func eachShardHasItsOwnLimit() throws {
        let stream = KinesisStream(shardCount: 2, limits: ShardLimits(recordsPerSecond: 2), clock: VirtualClock())
        let response = try stream.putRecords(entries(3, key: "alleycat") + entries(3, key: "racer-1"))
        #expect(response.records.map(\.isAccepted) == [true, true, false, true, true, false])
    }
}
