import KinesisAPI
import KinesisStream
import Testing

@Suite struct GetRecordsTests {
    @Test func answersRecordsWithTheirBytesAndTimestamps() throws {
        let fixture = APIFixture(shards: 1)
        _ = fixture.ok(.putRecord, #"{"StreamName":"alleycat","Data":"AP8K","PartitionKey":"k1"}"#)
        let start = try iterator(fixture, #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}"#)
        let answer = fixture.ok(.getRecords, #"{"ShardIterator":"\#(start)"}"#)
        let next = try read(fixture, start).next
        #expect(answer == """
            {"Records":[{"SequenceNumber":"1000000000000000000000001","ApproximateArrivalTimestamp":1764380851.000,"Data":"AP8K","PartitionKey":"k1"}],\
            "NextShardIterator":"\(next)","MillisBehindLatest":0}
            """)
    }

    @Test func pagesByLimitAndFollowsTheNextIterator() throws {
        let fixture = APIFixture(shards: 1)
        let records = (1...5).map { #"{"Data":"eA==","PartitionKey":"k\#($0)"}"# }.joined(separator: ",")
        _ = fixture.ok(.putRecords, #"{"StreamName":"alleycat","Records":[\#(records)]}"#)
        var position = try iterator(fixture, #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}"#)
        var pages: [[String]] = []
        for _ in 0..<4 {
            let (keys, next) = try read(fixture, position, limit: 2)
            pages.append(keys)
            position = next
        }
        #expect(pages == [["k1", "k2"], ["k3", "k4"], ["k5"], []])
    }

    @Test func refusesMadeUpExpiredAndOutOfRangeCalls() throws {
        let fixture = APIFixture(shards: 1)
        let start = try iterator(fixture, #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"LATEST"}"#)
        let invalid = KinesisAPIError.invalidArgument("Invalid ShardIterator: use one returned by GetShardIterator or GetRecords of this service")
        #expect(fixture.refusal(.getRecords, #"{"ShardIterator":"not-an-iterator"}"#) == invalid)
        var damaged = Array(start)
        damaged[10] = damaged[10] == "A" ? "B" : "A"
        #expect(fixture.refusal(.getRecords, #"{"ShardIterator":"\#(String(damaged))"}"#) == invalid)
        // Another service (another key) did not write it.
        let other = try KinesisAPI(stream: fixture.stream, createdMillis: 0, iteratorKey: 7)
        #expect(throws: invalid) { try other.handle(.getRecords, body: Array(#"{"ShardIterator":"\#(start)"}"#.utf8)) }
        #expect(fixture.refusal(.getRecords, #"{"ShardIterator":"\#(start)","Limit":10001}"#)
            == .validation("1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000"))
        #expect(fixture.refusal(.getRecords, #"{"Limit":1}"#)
            == .validation("1 validation error detected: Value null at 'shardIterator' failed to satisfy constraint: Member must not be null"))
        fixture.clock.advance(byMillis: 300_001)
        #expect(fixture.refusal(.getRecords, #"{"ShardIterator":"\#(start)"}"#)
            == .expiredIterator("Iterator expired. The iterator was created at time 1764380851000 while right now it is 1764381151001 which is further in the future than the tolerated delay of 300000 milliseconds: get a new one with GetShardIterator"))
    }
}
