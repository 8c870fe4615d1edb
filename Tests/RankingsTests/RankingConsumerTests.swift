import StreamReading
import KinesisStream
import RaceModel
import Testing
@testable import Rankings

@Suite struct RankingConsumerTests {
    @Test func ranksWhatArrivesAfterItStartsOnAVirtualClock() throws {
        let start: Int64 = 1_500_000_000_000
        let raceId = RaceSchedule.raceId(atMillis: start)
        let clock = VirtualClock(startMillis: start)
        let stream = KinesisStream(shardCount: 2, clock: clock)
        func put(_ messages: [RaceMessage]) throws {
            let entries = messages.map { PutRecordsRequestEntry(data: RecordWriter.bytes($0), partitionKey: "racer-\($0.racerId)") }
            #expect(try stream.putRecords(entries).failedPutCount == 0)
        }
        // Before the consumer exists: starting at LATEST, it never sees this.
        try put([message(racer: 99, second: 1, cadence: "90", resistance: "86", raceId: raceId - 1)])

        let consumer = try rankingConsumer(stream, engine: RankingEngine())
        #expect(consumer.pump(nowMillis: clock.nowMillis()).isEmpty)

        clock.advance(toMillis: start + 1_000)
        try put(CraftedRace.seconds[0].map { with($0, raceId: raceId) })
        clock.advance(byMillis: 30)
        let first = consumer.pump(nowMillis: clock.nowMillis())
        #expect(first.map(\.second) == [1])
        #expect(first.first?.standings.map(\.racerId) == [12, 14, 11, 13])
        #expect(first.first?.earliestArrivalMillis == start + 1_000)
        #expect(first.first?.latencyMillis == 30)
        #expect(consumer.pump(nowMillis: clock.nowMillis()).isEmpty)

        clock.advance(toMillis: start + 2_000)
        try put(CraftedRace.seconds[1].map { with($0, raceId: raceId) })
        clock.advance(byMillis: 5)
        let second = consumer.pump(nowMillis: clock.nowMillis())
        #expect(second.map(\.second) == [2])
        #expect(second.first?.standings.map(\.output) == [105, 90, 90, 65])
        #expect(second.first?.latencyMillis == 5)

        #expect(consumer.engine.metrics.recordsIngested == 8)
        #expect(consumer.engine.metrics.staleRace == 0)
        #expect(consumer.engine.hereNow(classId: 2, limit: 1).raceId == raceId)
    }

    @Test func aPumpReadsPastTheGetRecordsLimit() throws {
        let clock = VirtualClock(startMillis: 0)
        let stream = KinesisStream(shardCount: 1, limits: roomyLimits, clock: clock)
        let consumer = try rankingConsumer(stream, engine: RankingEngine())
        let riders = CallLimits.maximumGetRecords + 500
        var messages = (0..<riders).map { message(racer: $0, second: 1, cadence: "50", resistance: "35") }
        while !messages.isEmpty {
            let chunk = messages.prefix(CallLimits.maximumRecordsPerPut)
            messages.removeFirst(chunk.count)
            _ = try stream.putRecords(chunk.map { PutRecordsRequestEntry(data: RecordWriter.bytes($0), partitionKey: "k") })
        }
        let updates = consumer.pump(nowMillis: 0)
        #expect(updates.map(\.standings.count) == [riders])
    }

    private func with(_ message: RaceMessage, raceId: Int64) -> RaceMessage {
        var copy = message
        copy.raceId = raceId
        return copy
    }
}
