import KinesisAPI
import KinesisStream
import Testing

@Suite struct PutRecordTests {
    @Test func putsOneRecord() {
        let fixture = APIFixture()
        #expect(fixture.ok(.putRecord, #"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"b","SequenceNumberForOrdering":"1000001000000000000000001"}"#)
            == #"{"ShardId":"shardId-000000000001","SequenceNumber":"1000001000000000000000001"}"#)
    }

    @Test func refusesWhatKinesisRefuses() {
        let fixture = APIFixture(shards: 1, limits: ShardLimits(recordsPerSecond: 1))
        #expect(fixture.refusal(.putRecord, #"{"StreamName":"alleycat","PartitionKey":"b"}"#)
            == .validation("1 validation error detected: Value null at 'data' failed to satisfy constraint: Member must not be null"))
        #expect(fixture.refusal(.putRecord, #"{"StreamName":"alleycat","Data":"aGk="}"#)
            == .validation("1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: Member must not be null"))
        #expect(fixture.refusal(.putRecord, #"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"b","SequenceNumberForOrdering":"12a"}"#)
            == .validation("1 validation error detected: Value '12a' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})"))
        #expect(fixture.refusal(.putRecord, #"{"StreamName":"alleycat","Data":7,"PartitionKey":"b"}"#)
            == .serialization("Data must be a string, got a number"))
        _ = fixture.ok(.putRecord, #"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"b"}"#)
        #expect(fixture.refusal(.putRecord, #"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"b"}"#)
            == .provisionedThroughputExceeded("Rate exceeded for shard shardId-000000000000 in stream alleycat: more than 1 records in one second; retry with backoff"))
    }
}
