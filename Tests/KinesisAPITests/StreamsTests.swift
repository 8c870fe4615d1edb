import Foundation
import KinesisAPI
import KinesisStream
import RaceModel
import Testing

/// Streams as resources: CreateStream, DeleteStream, ListStreams, DescribeLimits and
/// UpdateStreamMode over every stream, and requests routed to the stream they name.
@Suite struct StreamsTests {
    static let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/"

    @Test func aMadeStreamTakesRecordsAndIsListed() {
        let fixture = APIFixture(shards: 2)
        #expect(fixture.ok(.createStream, #"{"StreamName":"laps","ShardCount":3}"#) == "{}")
        #expect(fixture.ok(.createStream, #"{"StreamName":"bursts","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}"#) == "{}")
        let listed = fixture.ok(.listStreams, "{}")
        #expect(listed.hasPrefix(#"{"StreamNames":["alleycat","bursts","laps"],"HasMoreStreams":false,"StreamSummaries":[{"StreamName":"alleycat","#))
        #expect(listed.contains(#"{"StreamName":"bursts","StreamARN":"\#(Self.arn)bursts","StreamStatus":"ACTIVE","StreamModeDetails":{"StreamMode":"ON_DEMAND"},"StreamCreationTimestamp":1764380851.000}"#))
        let page = fixture.ok(.listStreams, #"{"Limit":1,"ExclusiveStartStreamName":"alleycat"}"#)
        #expect(page.hasPrefix(#"{"StreamNames":["bursts"],"HasMoreStreams":true,"#) && page.hasSuffix(#""NextToken":"YnVyc3Rz"}"#))
        #expect(fixture.ok(.listStreams, #"{"NextToken":"YnVyc3Rz"}"#).hasPrefix(#"{"StreamNames":["laps"],"HasMoreStreams":false,"#))
        #expect(fixture.ok(.describeLimits, "{}") == #"{"ShardLimit":1024,"OpenShardCount":9,"OnDemandStreamCount":1,"OnDemandStreamCountLimit":50}"#)
        #expect(fixture.ok(.describeStreamSummary, #"{"StreamName":"laps"}"#).contains(#""StreamARN":"\#(Self.arn)laps","StreamStatus":"ACTIVE","StreamModeDetails":{"StreamMode":"PROVISIONED"}"#))
        // Records go to the stream named, by name or by ARN, and back by its iterator.
        #expect(fixture.ok(.putRecord, #"{"StreamARN":"\#(Self.arn)laps","Data":"aGk=","PartitionKey":"a"}"#)
            == #"{"ShardId":"shardId-000000000000","SequenceNumber":"1000000000000000000000001"}"#)
        #expect(fixture.stream.listShards().map(\.recordCount) == [0, 0])
        let iterator = fixture.ok(.getShardIterator, #"{"StreamName":"laps","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}"#)
            .dropFirst(#"{"ShardIterator":""#.count).dropLast(2)
        #expect(fixture.ok(.getRecords, #"{"ShardIterator":"\#(iterator)"}"#).contains(#""Data":"aGk=","PartitionKey":"a""#))
        #expect(fixture.ok(.listShards, #"{"StreamName":"laps"}"#).components(separatedBy: #"{"ShardId""#).count == 4)
        #expect(fixture.refusal(.describeStreamSummary, #"{"StreamName":"nope"}"#)
            == .resourceNotFound("Stream nope under account 000000000000 not found: ListStreams gives this service's 3 streams"))
        #expect(fixture.ok(.updateStreamMode, #"{"StreamARN":"\#(Self.arn)laps","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}"#) == "{}")
        #expect(fixture.ok(.describeStreamSummary, #"{"StreamName":"laps"}"#).contains(#""StreamModeDetails":{"StreamMode":"ON_DEMAND"}"#))
    }

    @Test(arguments: [
        (#"{"StreamName":"alleycat","ShardCount":1}"#, KinesisAPIError.resourceInUse("Stream alleycat under account 000000000000 already exists.")),
        (#"{"StreamName":"laps"}"#, .invalidArgument("ShardCount is required for a PROVISIONED stream: send ShardCount, or StreamModeDetails {StreamMode: ON_DEMAND}")),
        (#"{"StreamName":"laps","ShardCount":1023}"#, .limitExceeded("This request would exceed the shard limit for the account 000000000000 in us-east-1. Current open shard count for the account: 2. Limit: 1024. Number of additional shards that would have resulted from this request: 1023.")),
        (#"{"StreamName":"bad name","ShardCount":1}"#, .validation("1 validation error detected: Value 'bad name' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128")),
        (#"{"StreamName":"laps","ShardCount":1,"StreamModeDetails":{"StreamMode":"SERVERLESS"}}"#, .validation("1 validation error detected: Value 'SERVERLESS' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]")),
    ])
    func createStreamRefusals(body: String, error: KinesisAPIError) {
        let fixture = APIFixture(shards: 2)
        #expect(fixture.refusal(.createStream, body) == error)
        #expect(fixture.ok(.listStreams, "{}").hasPrefix(#"{"StreamNames":["alleycat"],"#))
    }

    @Test func deleteStreamTakesAMadeStreamAndItsConsumersOnlyWhenAsked() {
        let fixture = APIFixture(shards: 1)
        #expect(fixture.refusal(.deleteStream, #"{"StreamName":"alleycat"}"#)
            == .resourceInUse("Stream alleycat under account 000000000000 is the one this service's pipeline reads (serve --stream): it cannot be deleted while the service runs"))
        _ = fixture.ok(.createStream, #"{"StreamName":"laps","ShardCount":1}"#)
        _ = fixture.ok(.registerStreamConsumer, #"{"StreamARN":"\#(Self.arn)laps","ConsumerName":"fanout"}"#)
        #expect(fixture.refusal(.deleteStream, #"{"StreamName":"laps"}"#)
            == .resourceInUse("Stream laps under account 000000000000 has 1 registered consumer(s): deregister them, or send EnforceConsumerDeletion true"))
        #expect(fixture.ok(.deleteStream, #"{"StreamName":"laps","EnforceConsumerDeletion":true}"#) == "{}")
        #expect(fixture.refusal(.deleteStream, #"{"StreamName":"laps"}"#) == .resourceNotFound("Stream laps under account 000000000000 not found."))
        #expect(fixture.refusal(.describeStreamSummary, #"{"StreamName":"laps"}"#)
            == .resourceNotFound("Stream laps under account 000000000000 not found: this service's stream is 'alleycat'"))
    }

    /// A durable service keeps made streams in folders of their own and finds them again.
    @Test func madeStreamsSurviveARestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streams-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = VirtualClock(startMillis: 1_764_380_851_000)
        let open: KinesisStreams.Opener = { name, shards, folder in
            try KinesisStream.durable(directory: folder!, name: name, shardCount: shards, clock: clock)
        }
        func streams() throws -> KinesisStreams {
            let primary = try KinesisAPI(stream: KinesisStream(shardCount: 1, clock: clock), createdMillis: 0)
            return try KinesisStreams(primary: primary, directory: directory, open: open)
        }
        do {
            let first = try streams()
            _ = try first.handle(.createStream, body: Array(#"{"StreamName":"laps","ShardCount":2}"#.utf8))
            _ = try first.handle(.putRecord, body: Array(#"{"StreamName":"laps","Data":"aGk=","PartitionKey":"b"}"#.utf8))
        }
        #expect(try String(contentsOfFile: directory + "/laps/created", encoding: .utf8) == "1764380851000 2\n")
        let again = try streams()
        #expect(again.all.map(\.stream.name) == ["alleycat", "laps"])
        let summary = String(decoding: try again.handle(.describeStreamSummary, body: Array(#"{"StreamName":"laps"}"#.utf8)), as: UTF8.self)
        #expect(summary.contains(#""OpenShardCount":2"#) && summary.contains(#""StreamCreationTimestamp":1764380851.000"#))
        #expect(again.all[1].stream.listShards().map(\.recordCount) == [0, 1])
        _ = try again.handle(.deleteStream, body: Array(#"{"StreamName":"laps"}"#.utf8))
        #expect(!FileManager.default.fileExists(atPath: directory + "/laps"))
    }
}
