import KinesisAPI
import Testing

@Suite struct DescribeStreamSummaryTests {
    @Test func describesTheOneStream() {
        let fixture = APIFixture(shards: 4)
        #expect(fixture.ok(.describeStreamSummary, #"{"StreamName":"alleycat"}"#) == """
            {"StreamDescriptionSummary":{"StreamName":"alleycat","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/alleycat",\
            "StreamStatus":"ACTIVE","StreamModeDetails":{"StreamMode":"PROVISIONED"},"RetentionPeriodHours":24,\
            "StreamCreationTimestamp":1764380000.000,"EnhancedMonitoring":[{"ShardLevelMetrics":[]}],"EncryptionType":"NONE",\
            "OpenShardCount":4,"ConsumerCount":0}}
            """)
    }

    @Test func refusesAnotherStream() {
        let fixture = APIFixture()
        #expect(fixture.refusal(.describeStreamSummary, #"{"StreamARN":"arn:aws:kinesis:eu-west-1:000000000000:stream/alleycat"}"#)
            == .resourceNotFound("Stream arn:aws:kinesis:eu-west-1:000000000000:stream/alleycat not found: this service's stream is arn:aws:kinesis:us-east-1:000000000000:stream/alleycat"))
        #expect(fixture.refusal(.describeStreamSummary, #"{"StreamARN":"alleycat"}"#)
            == .validation("1 validation error detected: Value 'alleycat' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+"))
    }

    @Test func namesTheActionOfATarget() throws {
        #expect(try KinesisAPI.action(target: "Kinesis_20131202.DescribeStreamSummary") == .describeStreamSummary)
        #expect(throws: KinesisAPIError.unknownOperation("X-Amz-Target 'Kinesis_20131202.EnableEnhancedMonitoring' is not an operation this service has: Kinesis_20131202.PutRecord, Kinesis_20131202.PutRecords, Kinesis_20131202.ListShards, Kinesis_20131202.DescribeStreamSummary, Kinesis_20131202.GetShardIterator, Kinesis_20131202.GetRecords, Kinesis_20131202.ListStreams, Kinesis_20131202.DescribeStream, Kinesis_20131202.DescribeLimits, Kinesis_20131202.AddTagsToStream, Kinesis_20131202.RemoveTagsFromStream, Kinesis_20131202.ListTagsForStream, Kinesis_20131202.TagResource, Kinesis_20131202.UntagResource, Kinesis_20131202.ListTagsForResource, Kinesis_20131202.IncreaseStreamRetentionPeriod, Kinesis_20131202.DecreaseStreamRetentionPeriod, Kinesis_20131202.SplitShard, Kinesis_20131202.MergeShards, Kinesis_20131202.UpdateShardCount, Kinesis_20131202.RegisterStreamConsumer, Kinesis_20131202.DescribeStreamConsumer, Kinesis_20131202.ListStreamConsumers, Kinesis_20131202.DeregisterStreamConsumer, Kinesis_20131202.SubscribeToShard, Kinesis_20131202.CreateStream, Kinesis_20131202.DeleteStream, Kinesis_20131202.UpdateStreamMode, Kinesis_20131202.StartStreamEncryption, Kinesis_20131202.StopStreamEncryption, Kinesis_20131202.PutResourcePolicy, Kinesis_20131202.GetResourcePolicy, Kinesis_20131202.DeleteResourcePolicy")) {
            try KinesisAPI.action(target: "Kinesis_20131202.EnableEnhancedMonitoring")
        }
        #expect(throws: KinesisAPIError.unknownOperation("The X-Amz-Target header is missing: send Kinesis_20131202.<Action>, for example Kinesis_20131202.PutRecords")) {
            try KinesisAPI.action(target: nil)
        }
        #expect(String(decoding: KinesisAPIError.throttling("slow \"down\"").body, as: UTF8.self) == #"{"__type":"ThrottlingException","message":"slow \"down\""}"#)
        #expect(KinesisAPIError.throttling("").status == 429)
        #expect(KinesisAPIError.accessDenied("").status == 403)
        #expect(KinesisAPIError.requestTooLarge("").status == 413)
        #expect(KinesisAPIError.resourceNotFound("").status == 400)
    }
}
