import Foundation
import KinesisAPI
import KinesisStream
import RaceModel
import Testing

/// IncreaseStreamRetentionPeriod and DecreaseStreamRetentionPeriod: 24 to 8,760 hours,
/// applied by the stream's storage and kept across a restart of a durable stream.
@Suite struct RetentionTests {
    @Test func retentionGoesUpAndDownWithinKinesissBounds() {
        let fixture = APIFixture()
        #expect(fixture.ok(.increaseStreamRetentionPeriod, #"{"StreamName":"alleycat","RetentionPeriodHours":48}"#) == "{}")
        #expect(fixture.ok(.describeStreamSummary, #"{"StreamName":"alleycat"}"#).contains(#""RetentionPeriodHours":48,"#))
        #expect(fixture.refusal(.increaseStreamRetentionPeriod, #"{"StreamName":"alleycat","RetentionPeriodHours":36}"#)
            == .invalidArgument("Requested retention period (36 hours) for stream alleycat can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API."))
        #expect(fixture.refusal(.decreaseStreamRetentionPeriod, #"{"StreamName":"alleycat","RetentionPeriodHours":72}"#)
            == .invalidArgument("Requested retention period (72 hours) for stream alleycat can not be longer than existing retention period (48 hours). Use IncreaseRetentionPeriod API."))
        #expect(fixture.refusal(.increaseStreamRetentionPeriod, #"{"StreamName":"alleycat","RetentionPeriodHours":8761}"#)
            == .invalidArgument("Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long."))
        #expect(fixture.refusal(.decreaseStreamRetentionPeriod, #"{"StreamName":"alleycat","RetentionPeriodHours":23}"#)
            == .invalidArgument("Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short."))
        #expect(fixture.refusal(.decreaseStreamRetentionPeriod, #"{"StreamName":"alleycat"}"#)
            == .validation("1 validation error detected: Value null at 'retentionPeriodHours' failed to satisfy constraint: Member must not be null"))
        #expect(fixture.ok(.decreaseStreamRetentionPeriod, #"{"StreamName":"alleycat","RetentionPeriodHours":24}"#) == "{}")
        #expect(fixture.stream.retentionMillis == 24 * 3_600_000)
    }

    @Test func aLongerRetentionKeepsRecordsAndSurvivesARestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = VirtualClock(startMillis: 1_764_380_851_000)
        let stream = try KinesisStream.durable(directory: directory, clock: clock)
        let api = try KinesisAPI(stream: stream, createdMillis: 0)
        _ = try stream.putRecord(PutRecordsRequestEntry(data: Array("old".utf8), partitionKey: "k"))
        _ = try api.handle(.increaseStreamRetentionPeriod, body: Array(#"{"StreamName":"alleycat","RetentionPeriodHours":72}"#.utf8))
        // Two days later the record is still there: the retention is 72 hours, not 24.
        clock.advance(byMillis: 48 * 3_600_000)
        let reopened = try KinesisStream.durable(directory: directory, clock: clock)
        #expect(reopened.retentionMillis == 72 * 3_600_000)
        let records = try reopened.getRecords(reopened.shardIterator(shardId: ShardID(index: 0), type: .trimHorizon)).records
        #expect(records.map { String(decoding: $0.data, as: UTF8.self) } == ["old"])
    }

    @Test func encryptionAndResourcePoliciesAreRefusedRatherThanPretended() {
        let fixture = APIFixture()
        #expect(fixture.refusal(.startStreamEncryption, #"{"StreamName":"alleycat","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}"#)
            == .invalidArgument("This service does not encrypt streams, so StartStreamEncryption is refused rather than pretended: the segment log is plain files under the data folder's stream/; encrypt the disk they are on"))
        #expect(fixture.refusal(.getResourcePolicy, #"{"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/alleycat"}"#)
            == .invalidArgument("This service has no resource policies, so GetResourcePolicy is refused rather than pretended: access is by API key ('alleycat keys')"))
    }
}
