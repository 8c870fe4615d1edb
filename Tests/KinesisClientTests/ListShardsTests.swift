import KinesisWire
import StreamReading
import Testing

@testable import KinesisClient

struct ListShardsTests {
    @Test func firstPageNamesTheStreamLaterPagesOnlyTheToken() {
        #expect(String(decoding: ListShardsCall.requestBody(streamName: "alleycat", nextToken: nil), as: UTF8.self) == #"{"StreamName":"alleycat"}"#)
        #expect(String(decoding: ListShardsCall.requestBody(streamName: "alleycat", nextToken: "AAAA=="), as: UTF8.self) == #"{"NextToken":"AAAA=="}"#)
    }

    @Test func shardsWithLineage() throws {
        let body = """
            {"Shards":[\
            {"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},\
            "SequenceNumberRange":{"StartingSequenceNumber":"49590338271468955861479640830153400213843212376283627522","EndingSequenceNumber":"49590338271479987361479640830153400213843212376283627522"}},\
            {"ShardId":"shardId-000000000001","ParentShardId":"shardId-000000000000","AdjacentParentShardId":null,\
            "SequenceNumberRange":{"StartingSequenceNumber":"49590338271490256608559692538361571095921575989136588898"}},\
            {"ShardId":"shardId-000000000003","ParentShardId":"shardId-000000000001","AdjacentParentShardId":"shardId-000000000002",\
            "SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":null}}\
            ],"NextToken":"eyJ0b2tlbiI6IDN9"}
            """
        let page = try ListShardsCall.response(Array(body.utf8))
        #expect(page.nextToken == "eyJ0b2tlbiI6IDN9")
        #expect(page.shards == [
            SourceShard(
                shardId: "shardId-000000000000", startingSequenceNumber: RecordSequence(digits: "49590338271468955861479640830153400213843212376283627522"),
                endingSequenceNumber: RecordSequence(digits: "49590338271479987361479640830153400213843212376283627522")),
            SourceShard(
                shardId: "shardId-000000000001", parentShardId: "shardId-000000000000",
                startingSequenceNumber: RecordSequence(digits: "49590338271490256608559692538361571095921575989136588898")),
            SourceShard(
                shardId: "shardId-000000000003", parentShardId: "shardId-000000000001", adjacentParentShardId: "shardId-000000000002",
                startingSequenceNumber: RecordSequence(digits: "1")),
        ])
        #expect(page.shards[0].isClosed)
        #expect(page.shards[2].parents == ["shardId-000000000001", "shardId-000000000002"])
    }

    @Test func lastPageHasNoToken() throws {
        #expect(try ListShardsCall.response(Array(#"{"Shards":[]}"#.utf8)) == ListShardsCall.Page(shards: [], nextToken: nil))
        #expect(try ListShardsCall.response(Array(#"{"Shards":[],"NextToken":null}"#.utf8)).nextToken == nil)
    }

    @Test(arguments: [
        (#"{"Shards":[{"SequenceNumberRange":{"StartingSequenceNumber":"1"}}]}"#, "Shards[0] has no ShardId"),
        (#"{"Shards":[{"ShardId":"s"}]}"#, "Shards[0] (s) has no SequenceNumberRange.StartingSequenceNumber"),
        (#"{"Shards":[{"ShardId":"s","SequenceNumberRange":{"StartingSequenceNumber":"-1"}}]}"#,
         "Shards[0].SequenceNumberRange.StartingSequenceNumber is '-1', not a sequence number of 1 to 129 digits"),
    ])
    func unreadableAnswers(body: String, message: String) {
        #expect(throws: WireError(message)) { try ListShardsCall.response(Array(body.utf8)) }
    }
}
