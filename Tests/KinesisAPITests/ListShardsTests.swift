import KinesisAPI
import Testing

@Suite struct ListShardsTests {
    private let shard0 = #"{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"113427455640312821154458202477256070484"},"SequenceNumberRange":{"StartingSequenceNumber":"1000000000000000000000001"}}"#
    private let shard1 = #"{"ShardId":"shardId-000000000001","HashKeyRange":{"StartingHashKey":"113427455640312821154458202477256070485","EndingHashKey":"226854911280625642308916404954512140969"},"SequenceNumberRange":{"StartingSequenceNumber":"1000001000000000000000001"}}"#
    private let shard2 = #"{"ShardId":"shardId-000000000002","HashKeyRange":{"StartingHashKey":"226854911280625642308916404954512140970","EndingHashKey":"340282366920938463463374607431768211455"},"SequenceNumberRange":{"StartingSequenceNumber":"1000002000000000000000001"}}"#

    @Test func listsEveryShardWithItsRange() {
        let fixture = APIFixture(shards: 3)
        #expect(fixture.ok(.listShards, #"{"StreamName":"alleycat"}"#) == #"{"Shards":[\#(shard0),\#(shard1),\#(shard2)]}"#)
    }

    @Test func pagesWithNextTokenAndStartsAfterAShard() {
        let fixture = APIFixture(shards: 3)
        let token = base64("alleycat|2")
        #expect(fixture.ok(.listShards, #"{"StreamName":"alleycat","MaxResults":2}"#) == #"{"Shards":[\#(shard0),\#(shard1)],"NextToken":"\#(token)"}"#)
        #expect(fixture.ok(.listShards, #"{"NextToken":"\#(token)"}"#) == #"{"Shards":[\#(shard2)]}"#)
        #expect(fixture.ok(.listShards, #"{"StreamName":"alleycat","ExclusiveStartShardId":"shardId-000000000000","MaxResults":1}"#)
            == #"{"Shards":[\#(shard1)],"NextToken":"\#(token)"}"#)
        #expect(fixture.ok(.listShards, #"{"StreamName":"alleycat","ShardFilter":{"Type":"AFTER_SHARD_ID","ShardId":"shardId-000000000001"}}"#)
            == #"{"Shards":[\#(shard2)]}"#)
        #expect(fixture.ok(.listShards, #"{"StreamName":"alleycat","ShardFilter":{"Type":"AT_LATEST"}}"#) == #"{"Shards":[\#(shard0),\#(shard1),\#(shard2)]}"#)
    }

    @Test func refusesBadArguments() {
        let fixture = APIFixture(shards: 3)
        #expect(fixture.refusal(.listShards, #"{"StreamName":"alleycat","NextToken":"x"}"#)
            == .invalidArgument("NextToken and StreamName cannot be provided together: send the NextToken alone"))
        #expect(fixture.refusal(.listShards, #"{"NextToken":"bm9wZXwx"}"#)
            == .invalidArgument("NextToken 'bm9wZXwx' is not one this service gave: send the NextToken of the previous ListShards answer"))
        #expect(fixture.refusal(.listShards, #"{}"#) == .validation("Either StreamName or StreamARN (or a NextToken) is required"))
        #expect(fixture.refusal(.listShards, #"{"StreamName":"alleycat","MaxResults":0}"#)
            == .validation("1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 10000"))
        #expect(fixture.refusal(.listShards, #"{"StreamName":"alleycat","ShardFilter":{"Type":"SOMETIMES"}}"#)
            == .validation("1 validation error detected: Value 'SOMETIMES' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]"))
        #expect(fixture.refusal(.listShards, #"{"StreamName":"alleycat","ShardFilter":{"Type":"AFTER_SHARD_ID"}}"#)
            == .invalidArgument("ShardFilter of type AFTER_SHARD_ID needs a ShardId"))
    }
}
