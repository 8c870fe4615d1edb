import KinesisAPI
import KinesisStream
import Testing

/// SplitShard, MergeShards and UpdateShardCount through the JSON API, and what readers
/// see of them: ListShards lineage and filters, ChildShards at a closed shard's end.
@Suite struct ReshardingAPITests {
    static let lower = #"{"StartingHashKey":"0","EndingHashKey":"170141183460469231731687303715884105727"}"#
    static let upper = #"{"StartingHashKey":"170141183460469231731687303715884105728","EndingHashKey":"340282366920938463463374607431768211455"}"#
    static let whole = #"{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"}"#

    @Test func updateShardCountAnswersAndListShardsShowsTheLineage() {
        let fixture = APIFixture(shards: 2)
        _ = fixture.ok(.putRecord, #"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"a"}"#)
        fixture.clock.advance(byMillis: 1000)
        #expect(fixture.ok(.updateShardCount, #"{"StreamName":"alleycat","TargetShardCount":1,"ScalingType":"UNIFORM_SCALING"}"#)
            == #"{"StreamName":"alleycat","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/alleycat","CurrentShardCount":2,"TargetShardCount":1}"#)
        #expect(fixture.ok(.listShards, #"{"StreamName":"alleycat"}"#) == """
            {"Shards":[\
            {"ShardId":"shardId-000000000000","HashKeyRange":\(Self.lower),"SequenceNumberRange":{"StartingSequenceNumber":"1000000000000000000000001","EndingSequenceNumber":"1000000000000000000000001"}},\
            {"ShardId":"shardId-000000000001","HashKeyRange":\(Self.upper),"SequenceNumberRange":{"StartingSequenceNumber":"1000001000000000000000001","EndingSequenceNumber":"1000001000000000000000000"}},\
            {"ShardId":"shardId-000000000002","ParentShardId":"shardId-000000000000","AdjacentParentShardId":"shardId-000000000001","HashKeyRange":\(Self.whole),"SequenceNumberRange":{"StartingSequenceNumber":"1000002000000000000000001"}}]}
            """)
        #expect(fixture.ok(.describeStreamSummary, #"{"StreamName":"alleycat"}"#).contains(#""OpenShardCount":1,"#))
        #expect(fixture.ok(.describeLimits, "{}") == #"{"ShardLimit":1024,"OpenShardCount":1,"OnDemandStreamCount":0,"OnDemandStreamCountLimit":50}"#)
    }

    @Test func theEndOfAClosedShardNamesItsChildren() {
        let fixture = APIFixture(shards: 1)
        _ = fixture.ok(.putRecord, #"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"a"}"#)
        #expect(fixture.ok(.splitShard, #"{"StreamName":"alleycat","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"170141183460469231731687303715884105728"}"#) == "{}")
        let iterator = fixture.ok(.getShardIterator, #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}"#)
            .dropFirst(#"{"ShardIterator":""#.count).dropLast(2)
        let answer = fixture.ok(.getRecords, #"{"ShardIterator":"\#(iterator)"}"#)
        #expect(answer.hasPrefix(#"{"Records":[{"SequenceNumber":"1000000000000000000000001","#))
        #expect(answer.hasSuffix("""
            ],"MillisBehindLatest":0,"ChildShards":[\
            {"ShardId":"shardId-000000000001","ParentShards":["shardId-000000000000"],"HashKeyRange":\(Self.lower)},\
            {"ShardId":"shardId-000000000002","ParentShards":["shardId-000000000000"],"HashKeyRange":\(Self.upper)}]}
            """), "\(answer)")
        #expect(!answer.contains("NextShardIterator"))
        #expect(fixture.ok(.mergeShards, #"{"StreamName":"alleycat","ShardToMerge":"shardId-000000000001","AdjacentShardToMerge":"shardId-000000000002"}"#) == "{}")
        #expect(fixture.stream.openShardCount == 1)
    }

    /// Every ShardFilter type over a stream split at 1,000 ms and merged back at 2,000 ms.
    @Test func shardFiltersKeepWhatKinesisSays() {
        let fixture = APIFixture(shards: 1)
        func ids(_ filter: String) -> String {
            let answer = fixture.ok(.listShards, #"{"StreamName":"alleycat","ShardFilter":\#(filter)}"#)
            // Each listed shard's id is the first member of its object; parents' ids are not.
            return answer.matches(of: /\{"ShardId":"shardId-0*(\d+)"/).map { String($0.output.1) }.joined()
        }
        let start = fixture.clock.nowMillis()
        fixture.clock.advance(toMillis: start + 1_000)
        _ = fixture.ok(.updateShardCount, #"{"StreamName":"alleycat","TargetShardCount":2,"ScalingType":"UNIFORM_SCALING"}"#)
        fixture.clock.advance(toMillis: start + 2_000)
        _ = fixture.ok(.updateShardCount, #"{"StreamName":"alleycat","TargetShardCount":1,"ScalingType":"UNIFORM_SCALING"}"#)
        let seconds = { (millis: Int64) in String(Double(start + millis) / 1000) }
        #expect(ids(#"{"Type":"AT_LATEST"}"#) == "3")
        #expect(ids(#"{"Type":"AFTER_SHARD_ID","ShardId":"shardId-000000000001"}"#) == "23")
        #expect(ids(#"{"Type":"AT_TRIM_HORIZON"}"#) == "0")
        #expect(ids(#"{"Type":"FROM_TRIM_HORIZON"}"#) == "0123")
        #expect(ids(#"{"Type":"AT_TIMESTAMP","Timestamp":\#(seconds(1_500))}"#) == "12")
        #expect(ids(#"{"Type":"FROM_TIMESTAMP","Timestamp":\#(seconds(1_500))}"#) == "123")
        #expect(ids(#"{"Type":"AT_TIMESTAMP","Timestamp":\#(seconds(2_000))}"#) == "3")
        // A filtered listing pages with its filter in the NextToken.
        let page = fixture.ok(.listShards, #"{"StreamName":"alleycat","MaxResults":1,"ShardFilter":{"Type":"FROM_TIMESTAMP","Timestamp":\#(seconds(1_500))}}"#)
        let token = page.components(separatedBy: #""NextToken":""#).last!.dropLast(2)
        #expect(page.hasPrefix(#"{"Shards":[{"ShardId":"shardId-000000000001","#))
        #expect(fixture.ok(.listShards, #"{"NextToken":"\#(token)","MaxResults":5}"#).contains(#""ShardId":"shardId-000000000002""#))
        #expect(fixture.refusal(.listShards, #"{"StreamName":"alleycat","ShardFilter":{"Type":"AT_TIMESTAMP"}}"#)
            == .invalidArgument("ShardFilter of type AT_TIMESTAMP needs a Timestamp"))
    }

    @Test(arguments: [
        (KinesisAPI.Action.updateShardCount, #"{"StreamName":"alleycat","TargetShardCount":5,"ScalingType":"UNIFORM_SCALING"}"#,
         KinesisAPIError.invalidArgument("UpdateShardCount to 5 shards for stream alleycat under account 000000000000 is more than twice its 2 open shards: scale up to at most 4 in one call")),
        (.updateShardCount, #"{"StreamName":"alleycat","TargetShardCount":0,"ScalingType":"UNIFORM_SCALING"}"#,
         .validation("1 validation error detected: Value '0' at 'targetShardCount' failed to satisfy constraint: Member must have value between 1 and 100000")),
        (.updateShardCount, #"{"StreamName":"alleycat","TargetShardCount":2,"ScalingType":"RANDOM"}"#,
         .validation("1 validation error detected: Value 'RANDOM' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]")),
        (.updateShardCount, #"{"StreamName":"alleycat","TargetShardCount":2}"#,
         .validation("1 validation error detected: Value null at 'scalingType' failed to satisfy constraint: Member must not be null")),
        (.splitShard, #"{"StreamName":"alleycat","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"01"}"#,
         .validation("1 validation error detected: Value '01' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})")),
        (.splitShard, #"{"StreamName":"alleycat","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"999999999999999999999999999999999999999"}"#,
         .invalidArgument("NewStartingHashKey 999999999999999999999999999999999999999 is past the largest hash key, 2^128 - 1")),
        (.splitShard, #"{"StreamName":"alleycat","ShardToSplit":"shardId-000000000009","NewStartingHashKey":"5"}"#,
         .resourceNotFound("Shard shardId-000000000009 in stream alleycat under account 000000000000 does not exist: ListShards gives this stream's 2 shard id(s)")),
        (.mergeShards, #"{"StreamName":"alleycat","ShardToMerge":"shardId-000000000000"}"#,
         .validation("1 validation error detected: Value null at 'adjacentShardToMerge' failed to satisfy constraint: Member must not be null")),
        (.mergeShards, #"{"StreamName":"alleycat","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000000"}"#,
         .invalidArgument("Shards shardId-000000000000 and shardId-000000000000 in stream alleycat are not an adjacent pair of shards eligible for merging: their hash key ranges (0...170141183460469231731687303715884105727 and 0...170141183460469231731687303715884105727) must touch")),
    ])
    func refusalsSayWhatToChange(action: KinesisAPI.Action, body: String, error: KinesisAPIError) {
        let fixture = APIFixture(shards: 2)
        #expect(fixture.refusal(action, body) == error)
        #expect(fixture.stream.shardCount == 2)
    }

    @Test func theShardLimitIsKinesissOwnError() {
        let fixture = APIFixture(shards: 1000)
        #expect(fixture.refusal(.updateShardCount, #"{"StreamName":"alleycat","TargetShardCount":1025,"ScalingType":"UNIFORM_SCALING"}"#)
            == .limitExceeded("This request would exceed the shard limit for the account 000000000000 in us-east-1. Current open shard count for the account: 1000. Limit: 1024. Requested: 1025 (DescribeLimits gives the limit)"))
        #expect(KinesisAPIError.limitExceeded("x").typeName == "LimitExceededException")
    }
}
