import KinesisAPI
import KinesisWire
import Testing

/// The iterator a GetShardIterator answer holds.
func iterator(_ fixture: APIFixture, _ json: String) throws -> String {
    var reader = JSONReader(Array(fixture.ok(.getShardIterator, json).utf8))
    var iterator = ""
    try reader.readObject { reader, name in
        #expect(name == "ShardIterator")
        iterator = try reader.readString()
    }
    return iterator
}

/// The partition keys of a GetRecords answer's records, and its next iterator.
func read(_ fixture: APIFixture, _ iterator: String, limit: Int? = nil) throws -> (keys: [String], next: String) {
    let limitMember = limit.map { #","Limit":\#($0)"# } ?? ""
    var reader = JSONReader(Array(fixture.ok(.getRecords, #"{"ShardIterator":"\#(iterator)"\#(limitMember)}"#).utf8))
    var keys: [String] = []
    var next = ""
    try reader.readObject { reader, name in
        switch name {
        case "Records":
            try reader.readArray { reader, _ in
                try reader.readObject { reader, name in
                    if name == "PartitionKey" { keys.append(try reader.readString()) } else { try reader.skipValue() }
                }
            }
        case "NextShardIterator": next = try reader.readString()
        default: try reader.skipValue()
        }
    }
    return (keys, next)
}

@Suite struct GetShardIteratorTests {
    private func filled() -> APIFixture {
        let fixture = APIFixture(shards: 1)
        let records = ["k1", "k2", "k3"].map { #"{"Data":"eA==","PartitionKey":"\#($0)"}"# }.joined(separator: ",")
        _ = fixture.ok(.putRecords, #"{"StreamName":"alleycat","Records":[\#(records)]}"#)
        return fixture
    }

    @Test func startsWhereEachIteratorTypeSays() throws {
        let fixture = filled()
        let shard = #""StreamName":"alleycat","ShardId":"shardId-000000000000""#
        #expect(try read(fixture, iterator(fixture, #"{\#(shard),"ShardIteratorType":"TRIM_HORIZON"}"#)).keys == ["k1", "k2", "k3"])
        #expect(try read(fixture, iterator(fixture, #"{\#(shard),"ShardIteratorType":"LATEST"}"#)).keys == [])
        #expect(try read(fixture, iterator(fixture, #"{\#(shard),"ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"1000000000000000000000002"}"#)).keys == ["k2", "k3"])
        #expect(try read(fixture, iterator(fixture, #"{\#(shard),"ShardIteratorType":"AFTER_SEQUENCE_NUMBER","StartingSequenceNumber":"1000000000000000000000002"}"#)).keys == ["k3"])
        #expect(try read(fixture, iterator(fixture, #"{\#(shard),"ShardIteratorType":"AT_TIMESTAMP","Timestamp":1764380851.0}"#)).keys == ["k1", "k2", "k3"])
        #expect(try read(fixture, iterator(fixture, #"{"StreamName":"alleycat","ShardId":"0","ShardIteratorType":"TRIM_HORIZON"}"#)).keys == ["k1", "k2", "k3"])
    }

    @Test func refusesWhatIsMissingOrUnknown() {
        let fixture = filled()
        #expect(fixture.refusal(.getShardIterator, #"{"StreamName":"alleycat","ShardId":"shardId-000000000001","ShardIteratorType":"LATEST"}"#)
            == .resourceNotFound("Shard shardId-000000000001 in stream alleycat under account 000000000000 does not exist: ListShards gives this stream's 1 shard id(s)"))
        #expect(fixture.refusal(.getShardIterator, #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"OLDEST"}"#)
            == .validation("1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]"))
        #expect(fixture.refusal(.getShardIterator, #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER"}"#)
            == .invalidArgument("Must specify StartingSequenceNumber for iterator of type AT_SEQUENCE_NUMBER"))
        #expect(fixture.refusal(.getShardIterator, #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP"}"#)
            == .invalidArgument("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP: send Timestamp"))
        #expect(fixture.refusal(.getShardIterator, #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"12"}"#)
            == .invalidArgument("StartingSequenceNumber 12 used in GetShardIterator on shard shardId-000000000000 in stream alleycat under account 000000000000 is invalid."))
        #expect(fixture.refusal(.getShardIterator, #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"AFTER_SEQUENCE_NUMBER","StartingSequenceNumber":"abc"}"#)
            == .validation(#"1 validation error detected: Value 'abc' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})"#))
        // A leading zero is outside Kinesis's pattern (this stream's numbers have none); a lone 0 is inside it.
        #expect(fixture.refusal(.getShardIterator, #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"01000000000000000000000001"}"#)
            == .validation(#"1 validation error detected: Value '01000000000000000000000001' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})"#))
        #expect(fixture.refusal(.getShardIterator, #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"0"}"#)
            == .invalidArgument("StartingSequenceNumber 0 used in GetShardIterator on shard shardId-000000000000 in stream alleycat under account 000000000000 is invalid."))
        #expect(fixture.refusal(.getShardIterator, #"{"StreamName":"alleycat","ShardIteratorType":"LATEST"}"#)
            == .validation("1 validation error detected: Value null at 'shardId' failed to satisfy constraint: Member must not be null"))
        #expect(fixture.refusal(.getShardIterator, #"{"StreamName":"alleycat","ShardId":"shard 0","ShardIteratorType":"LATEST"}"#)
            == .validation("1 validation error detected: Value 'shard 0' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"))
    }
}
