import KinesisAPI
import Testing

/// ListStreams, DescribeStream and DescribeLimits over the service's one stream (the AWS
/// CLI's `list-streams`, `describe-stream`, `describe-limits`; the KCL 1.x pages DescribeStream).
@Suite struct StreamListingTests {
    static let identity = #""StreamName":"alleycat","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/alleycat","StreamStatus":"ACTIVE","StreamModeDetails":{"StreamMode":"PROVISIONED"}"#
    static let settings = #""RetentionPeriodHours":24,"StreamCreationTimestamp":1764380000.000,"EnhancedMonitoring":[{"ShardLevelMetrics":[]}],"EncryptionType":"NONE""#

    @Test func listStreamsGivesTheOneStream() {
        let fixture = APIFixture()
        let listed = #"{"StreamNames":["alleycat"],"HasMoreStreams":false,"StreamSummaries":[{\#(Self.identity),"StreamCreationTimestamp":1764380000.000}]}"#
        #expect(fixture.ok(.listStreams, "{}") == listed)
        #expect(fixture.ok(.listStreams, #"{"Limit":1,"ExclusiveStartStreamName":"a"}"#) == listed)
        #expect(fixture.ok(.listStreams, #"{"ExclusiveStartStreamName":"alleycat"}"#) == #"{"StreamNames":[],"HasMoreStreams":false,"StreamSummaries":[]}"#)
        #expect(fixture.refusal(.listStreams, #"{"Limit":0}"#)
            == .validation("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000"))
        #expect(fixture.refusal(.listStreams, #"{"NextToken":"xyz"}"#)
            == .invalidArgument("NextToken 'xyz' is not one this service gave: send the NextToken of the previous ListStreams answer"))
    }

    @Test func describeStreamPagesItsShardsAsListShardsGivesThem() {
        let fixture = APIFixture(shards: 3)
        let listShards = fixture.ok(.listShards, #"{"StreamName":"alleycat"}"#)
        let shards = String(listShards.dropFirst(#"{"Shards":"#.count).dropLast())
        #expect(fixture.ok(.describeStream, #"{"StreamName":"alleycat"}"#)
            == #"{"StreamDescription":{\#(Self.identity),"Shards":\#(shards),"HasMoreShards":false,\#(Self.settings)}}"#)
        let firstTwo = fixture.ok(.describeStream, #"{"StreamName":"alleycat","Limit":2}"#)
        #expect(firstTwo.contains(#""HasMoreShards":true"#))
        #expect(firstTwo.contains("shardId-000000000001") && !firstTwo.contains("shardId-000000000002"))
        let rest = fixture.ok(.describeStream, #"{"StreamName":"alleycat","Limit":2,"ExclusiveStartShardId":"shardId-000000000001"}"#)
        #expect(rest.contains(#""ShardId":"shardId-000000000002""#) && !rest.contains("shardId-000000000001") && rest.contains(#""HasMoreShards":false"#))
        #expect(fixture.refusal(.describeStream, #"{"StreamName":"other"}"#)
            == .resourceNotFound("Stream other under account 000000000000 not found: this service's stream is 'alleycat'"))
        #expect(fixture.refusal(.describeStream, #"{"StreamName":"alleycat","Limit":10001}"#)
            == .validation("1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000"))
    }

    @Test func describeLimitsCountsTheOpenShards() {
        #expect(APIFixture(shards: 4).ok(.describeLimits, "{}")
            == #"{"ShardLimit":1024,"OpenShardCount":4,"OnDemandStreamCount":0,"OnDemandStreamCountLimit":50}"#)
    }
}
