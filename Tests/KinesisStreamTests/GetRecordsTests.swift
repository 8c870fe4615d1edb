import StreamReading
import Testing
import RaceModel
@testable import KinesisStream

@Suite struct GetRecordsTests {
    /// A stream with records "r1"..."r5" put at t = 1000, 2000, ... 5000.
    func fiveRecordStream() throws -> (KinesisStream, VirtualClock) {
        let clock = VirtualClock(startMillis: 1000)
        let stream = KinesisStream(clock: clock)
        for i in 1...5 {
            clock.advance(toMillis: Int64(i) * 1000)
            _ = try stream.putRecord(entry("r\(i)"))
        }
        return (stream, clock)
    }

    func read(_ stream: KinesisStream, _ type: ShardIteratorType, limit: Int = 100) throws -> [String] {
        let iterator = try stream.shardIterator(shardId: ShardID(index: 0), type: type)
        return try stream.getRecords(iterator, limit: limit).records.map { String(decoding: $0.data, as: UTF8.self) }
    }

    @Test func everyIteratorKind() throws {
        let (stream, _) = try fiveRecordStream()
        let third = SequenceNumber(shardIndex: 0, counter: 3)
        #expect(try read(stream, .trimHorizon) == ["r1", "r2", "r3", "r4", "r5"])
        #expect(try read(stream, .latest) == [])
        #expect(try read(stream, .atSequenceNumber(third)) == ["r3", "r4", "r5"])
        #expect(try read(stream, .afterSequenceNumber(third)) == ["r4", "r5"])
        #expect(try read(stream, .atTimestamp(millis: 2500)) == ["r3", "r4", "r5"])
        #expect(try read(stream, .atTimestamp(millis: 2000)) == ["r2", "r3", "r4", "r5"])
        #expect(try read(stream, .atTimestamp(millis: 9000)) == [])
    }

    @Test func latestSeesOnlyNewRecords() throws {
        let (stream, _) = try fiveRecordStream()
        let iterator = try stream.shardIterator(shardId: ShardID(index: 0), type: .latest)
        _ = try stream.putRecord(entry("r6"))
        let result = try stream.getRecords(iterator)
        #expect(result.records.map(\.sequenceNumber.counter) == [6])
        #expect(result.records[0].approximateArrivalMillis == 5000)
        #expect(result.records[0].partitionKey == "k")
    }

    @Test func limitAndNextIteratorAndLag() throws {
        let (stream, _) = try fiveRecordStream()
        let first = try stream.getRecords(stream.shardIterator(shardId: ShardID(index: 0), type: .trimHorizon), limit: 2)
        #expect(first.records.map(\.sequenceNumber.counter) == [1, 2])
        #expect(first.millisBehindLatest == 2000)
        let second = try stream.getRecords(#require(first.nextShardIterator), limit: 10)
        #expect(second.records.map(\.sequenceNumber.counter) == [3, 4, 5])
        #expect(second.millisBehindLatest == 0)
        let third = try stream.getRecords(#require(second.nextShardIterator))
        #expect(third.records.isEmpty)
        #expect(third.nextShardIterator == second.nextShardIterator)
        #expect(third.childShards == [])
    }

    @Test func retentionTrimsOldRecords() throws {
        let clock = VirtualClock(startMillis: 0)
        let stream = KinesisStream(retentionMillis: 10_000, clock: clock)
        _ = try stream.putRecord(entry("old"))
        clock.advance(toMillis: 6000)
        _ = try stream.putRecord(entry("new"))
        let iterator = try stream.shardIterator(shardId: ShardID(index: 0), type: .trimHorizon)
        clock.advance(toMillis: 10_001)
        // An iterator that points at a trimmed record starts at the oldest kept one.
        #expect(try stream.getRecords(iterator).records.map { String(decoding: $0.data, as: UTF8.self) } == ["new"])
        #expect(try read(stream, .trimHorizon) == ["new"])
        #expect(stream.listShards()[0].recordCount == 1)
    }

    @Test func errors() throws {
        let (stream, _) = try fiveRecordStream()
        #expect(validationMessage { _ = try stream.shardIterator(shardId: ShardID(index: 1), type: .latest) } == "ResourceNotFoundException: Shard shardId-000000000001 in stream alleycat does not exist (the stream has 1 shard)")
        #expect(validationMessage { _ = try stream.shardIterator(shardId: ShardID(index: 0), type: .atSequenceNumber(SequenceNumber(shardIndex: 1, counter: 1))) } == "InvalidArgumentException: Sequence number 1000001000000000000000001 belongs to shardId-000000000001, not shardId-000000000000")
        let iterator = try stream.shardIterator(shardId: ShardID(index: 0), type: .latest)
        #expect(validationMessage { _ = try stream.getRecords(iterator, limit: 0) } == "ValidationException: GetRecords Limit is 0, must be 1 to 10000")
    }

    @Test func consumersKeepTheirOwnPositions() throws {
        let (stream, clock) = try fiveRecordStream()
        let source = EmbeddedSource(stream: stream)
        func reader(_ name: String) throws -> StreamReader {
            try StreamReader(name: name, source: source, checkpoints: source, now: { clock.nowMillis() })
        }
        /// The counters of shard 0's sequence numbers (a 1 and 24 digits: the 10^24 is the leading 1).
        func counters(_ records: [StreamRecord]) -> [UInt128] { records.map { $0.sequenceNumber.value! - 1_000_000_000_000_000_000_000_000 } }
        let firehose = try reader("firehose")
        let ranking = try reader("ranking")
        #expect(counters(firehose.poll(limitPerShard: 2)) == [1, 2])
        #expect(counters(ranking.poll()) == [1, 2, 3, 4, 5])
        #expect(counters(firehose.poll()) == [3, 4, 5])
        try firehose.checkpoint(["shardId-000000000000": RecordSequence(digits: "1000000000000000000000003")])
        try firehose.checkpoint(["shardId-000000000000": RecordSequence(digits: "1000000000000000000000002")])  // never moves back
        #expect(stream.checkpoints(consumer: "firehose") == [ShardID(index: 0): SequenceNumber(shardIndex: 0, counter: 3)])
        #expect(try source.checkpoints(consumer: "firehose") == ["shardId-000000000000": RecordSequence("1000000000000000000000003")!])
        #expect(stream.checkpoints(consumer: "ranking").isEmpty)
        // A restarted consumer resumes after its checkpoint.
        #expect(counters(try reader("firehose").poll()) == [4, 5])
        #expect(stream.consumerNames == ["firehose"])
    }
}
