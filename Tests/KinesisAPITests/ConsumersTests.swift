import Foundation
import KinesisAPI
import KinesisStream
import KinesisWire
import RaceModel
import Testing

/// Enhanced fan-out: consumers registered, described, listed and deregistered, and
/// SubscribeToShard's events (the service streams them; `handle` gives the first).
@Suite struct ConsumersTests {
    static let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/alleycat"
    /// 1764380851 s: the fixture's clock.
    static let consumerARN = "\(arn)/consumer/fanout:1764380851"

    @Test func consumersAreRegisteredDescribedListedAndDeregistered() {
        let fixture = APIFixture(shards: 1)
        #expect(fixture.ok(.registerStreamConsumer, #"{"StreamARN":"\#(Self.arn)","ConsumerName":"fanout"}"#)
            == #"{"Consumer":{"ConsumerName":"fanout","ConsumerARN":"\#(Self.consumerARN)","ConsumerStatus":"ACTIVE","ConsumerCreationTimestamp":1764380851.000}}"#)
        #expect(fixture.refusal(.registerStreamConsumer, #"{"StreamARN":"\#(Self.arn)","ConsumerName":"fanout"}"#)
            == .resourceInUse("Consumer fanout under stream alleycat under account 000000000000 already exists: DescribeStreamConsumer gives it"))
        let description = #"{"ConsumerDescription":{"ConsumerName":"fanout","ConsumerARN":"\#(Self.consumerARN)","ConsumerStatus":"ACTIVE","ConsumerCreationTimestamp":1764380851.000,"StreamARN":"\#(Self.arn)"}}"#
        #expect(fixture.ok(.describeStreamConsumer, #"{"ConsumerARN":"\#(Self.consumerARN)"}"#) == description)
        #expect(fixture.ok(.describeStreamConsumer, #"{"StreamARN":"\#(Self.arn)","ConsumerName":"fanout"}"#) == description)
        _ = fixture.ok(.registerStreamConsumer, #"{"StreamARN":"\#(Self.arn)","ConsumerName":"another"}"#)
        #expect(fixture.ok(.describeStreamSummary, #"{"StreamName":"alleycat"}"#).contains(#""ConsumerCount":2"#))
        let page = fixture.ok(.listStreamConsumers, #"{"StreamARN":"\#(Self.arn)","MaxResults":1}"#)
        #expect(page.hasPrefix(#"{"Consumers":[{"ConsumerName":"another","#) && page.hasSuffix(#""NextToken":"\#(Base64.encode(Array("another".utf8)))"}"#))
        #expect(fixture.ok(.listStreamConsumers, #"{"StreamARN":"\#(Self.arn)","NextToken":"\#(Base64.encode(Array("another".utf8)))"}"#)
            == #"{"Consumers":[{"ConsumerName":"fanout","ConsumerARN":"\#(Self.consumerARN)","ConsumerStatus":"ACTIVE","ConsumerCreationTimestamp":1764380851.000}]}"#)
        #expect(fixture.ok(.deregisterStreamConsumer, #"{"ConsumerARN":"\#(Self.consumerARN)"}"#) == "{}")
        #expect(fixture.refusal(.describeStreamConsumer, #"{"StreamARN":"\#(Self.arn)","ConsumerName":"fanout"}"#)
            == .resourceNotFound("Consumer fanout under stream alleycat under account 000000000000 not found: ListStreamConsumers gives the stream's consumers"))
        #expect(fixture.refusal(.registerStreamConsumer, #"{"StreamARN":"\#(Self.arn)","ConsumerName":"bad name"}"#)
            == .validation("1 validation error detected: Value 'bad name' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"))
        for index in 0..<19 { _ = fixture.ok(.registerStreamConsumer, #"{"StreamARN":"\#(Self.arn)","ConsumerName":"c\#(index)"}"#) }
        #expect(fixture.refusal(.registerStreamConsumer, #"{"StreamARN":"\#(Self.arn)","ConsumerName":"one-too-many"}"#)
            == .limitExceeded("Stream alleycat under account 000000000000 already has 20 consumers, the most a stream may have: deregister one first"))
    }

    @Test func consumersSurviveAReopen() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("consumers-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = VirtualClock(startMillis: 1_764_380_851_000)
        let stream = KinesisStream(shardCount: 1, clock: clock)
        let first = try KinesisAPI(stream: stream, createdMillis: 0, consumersPath: path)
        _ = try first.handle(.registerStreamConsumer, body: Array(#"{"StreamARN":"\#(Self.arn)","ConsumerName":"fanout"}"#.utf8))
        let second = try KinesisAPI(stream: stream, createdMillis: 0, consumersPath: path)
        let listed = String(decoding: try second.handle(.listStreamConsumers, body: Array(#"{"StreamARN":"\#(Self.arn)"}"#.utf8)), as: UTF8.self)
        #expect(listed.contains(#""ConsumerARN":"\#(Self.consumerARN)""#))
    }

    @Test func aSubscriptionGivesTheShardsRecordsAndOneAtATime() throws {
        let fixture = APIFixture(shards: 1)
        _ = fixture.ok(.registerStreamConsumer, #"{"StreamARN":"\#(Self.arn)","ConsumerName":"fanout"}"#)
        _ = fixture.ok(.putRecords, #"{"StreamName":"alleycat","Records":[{"Data":"aGk=","PartitionKey":"a"},{"Data":"aG8=","PartitionKey":"b"}]}"#)
        let body = Array(#"{"ConsumerARN":"\#(Self.consumerARN)","ShardId":"shardId-000000000000","StartingPosition":{"Type":"TRIM_HORIZON"}}"#.utf8)
        let subscription = try fixture.api.subscribe(body)
        let first = try #require(try subscription.next())
        #expect(first.records == 2)
        #expect(String(decoding: first.payload, as: UTF8.self) == """
            {"Records":[{"SequenceNumber":"1000000000000000000000001","ApproximateArrivalTimestamp":1764380851.000,"Data":"aGk=","PartitionKey":"a"},\
            {"SequenceNumber":"1000000000000000000000002","ApproximateArrivalTimestamp":1764380851.000,"Data":"aG8=","PartitionKey":"b"}],\
            "ContinuationSequenceNumber":"1000000000000000000000002","MillisBehindLatest":0}
            """)
        // While it runs, the consumer cannot subscribe to the shard again.
        #expect(fixture.refusal(.subscribeToShard, String(decoding: body, as: UTF8.self))
            == .resourceInUse("Another active subscription exists for consumer \(Self.consumerARN) on shard shardId-000000000000: end it, or wait until it ends (5 minutes at most)"))
        // Caught up: an event with no records, continuing from the same place.
        #expect(try subscription.next()?.records == 0)
        // Five minutes on: one last event, then the end.
        fixture.clock.advance(byMillis: KinesisAPI.defaultSubscriptionMillis)
        #expect(try subscription.next() != nil)
        #expect(try subscription.next() == nil)
        subscription.end()
        // Through `handle`: the first event of a new subscription, AFTER the continuation.
        #expect(fixture.ok(.subscribeToShard, #"{"ConsumerARN":"\#(Self.consumerARN)","ShardId":"shardId-000000000000","StartingPosition":{"Type":"AFTER_SEQUENCE_NUMBER","SequenceNumber":"1000000000000000000000001"}}"#)
            .hasPrefix(#"{"Records":[{"SequenceNumber":"1000000000000000000000002","#))
        #expect(fixture.refusal(.subscribeToShard, #"{"ConsumerARN":"\#(Self.arn)/consumer/nobody:1","ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}}"#)
            == .resourceNotFound("Consumer \(Self.arn)/consumer/nobody:1 not found: ListStreamConsumers gives the stream's consumers"))
        #expect(fixture.refusal(.subscribeToShard, #"{"ConsumerARN":"\#(Self.consumerARN)","ShardId":"shardId-000000000000"}"#)
            == .validation("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null"))
    }

    @Test func aSubscriptionToAClosedShardEndsWithItsChildren() throws {
        let fixture = APIFixture(shards: 1)
        _ = fixture.ok(.registerStreamConsumer, #"{"StreamARN":"\#(Self.arn)","ConsumerName":"fanout"}"#)
        _ = fixture.ok(.putRecord, #"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"a"}"#)
        _ = fixture.ok(.updateShardCount, #"{"StreamName":"alleycat","TargetShardCount":2,"ScalingType":"UNIFORM_SCALING"}"#)
        let subscription = try fixture.api.subscribe(Array(#"{"ConsumerARN":"\#(Self.consumerARN)","ShardId":"shardId-000000000000","StartingPosition":{"Type":"TRIM_HORIZON"}}"#.utf8))
        defer { subscription.end() }
        let last = String(decoding: try #require(try subscription.next()).payload, as: UTF8.self)
        #expect(last.hasSuffix(#""MillisBehindLatest":0,"ChildShards":[{"ShardId":"shardId-000000000001","ParentShards":["shardId-000000000000"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"170141183460469231731687303715884105727"}},{"ShardId":"shardId-000000000002","ParentShards":["shardId-000000000000"],"HashKeyRange":{"StartingHashKey":"170141183460469231731687303715884105728","EndingHashKey":"340282366920938463463374607431768211455"}}]}"#), "\(last)")
        #expect(!last.contains("ContinuationSequenceNumber"))
        #expect(try subscription.next() == nil)
    }
}
