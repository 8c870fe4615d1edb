import KinesisWire
import StreamReading
import Testing

@testable import KinesisClient

struct GetShardIteratorTests {
    @Test(arguments: [
        (StartPosition.trimHorizon, #"{"StreamName":"alleycat","ShardId":"shardId-000000000001","ShardIteratorType":"TRIM_HORIZON"}"#),
        (.latest, #"{"StreamName":"alleycat","ShardId":"shardId-000000000001","ShardIteratorType":"LATEST"}"#),
        (.atSequenceNumber(RecordSequence(digits: "4959")),
         #"{"StreamName":"alleycat","ShardId":"shardId-000000000001","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"4959"}"#),
        (.afterSequenceNumber(RecordSequence(digits: "4960")),
         #"{"StreamName":"alleycat","ShardId":"shardId-000000000001","ShardIteratorType":"AFTER_SEQUENCE_NUMBER","StartingSequenceNumber":"4960"}"#),
        (.atTimestamp(millis: 1_796_120_695_973),
         #"{"StreamName":"alleycat","ShardId":"shardId-000000000001","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1796120695.973}"#),
        (.atTimestamp(millis: 1_796_120_695_005),
         #"{"StreamName":"alleycat","ShardId":"shardId-000000000001","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1796120695.005}"#),
    ])
    func requestBody(start: StartPosition, json: String) {
        #expect(String(decoding: GetShardIteratorCall.requestBody(streamName: "alleycat", shardId: "shardId-000000000001", start: start), as: UTF8.self) == json)
    }

    @Test func iteratorOfTheAnswer() throws {
        #expect(try GetShardIteratorCall.response(Array(#"{"ShardIterator": "dDpz\n"}"#.utf8), shardId: "s") == SourceIterator(shardId: "s", token: "dDpz\n"))
        // A closed shard with nothing after the position: its end, which read answers without a call.
        #expect(try GetShardIteratorCall.response(Array(#"{"ShardIterator":null}"#.utf8), shardId: "s") == SourceIterator(shardId: "s", token: ""))
        #expect(throws: WireError("the answer has no ShardIterator")) { try GetShardIteratorCall.response(Array("{}".utf8), shardId: "s") }
    }
}
