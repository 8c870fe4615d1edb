import KinesisAPI
import KinesisCBOR
import KinesisStream
import KinesisWire
import Testing

@Suite struct PutRecordsTests {
    @Test func answersEachRecordInOrderWithShardAndSequenceNumber() {
        let fixture = APIFixture()
        // MD5("a") starts 0x0c (shard 0 of 2), MD5("b") starts 0x92 (shard 1).
        let answer = fixture.ok(.putRecords, """
            {"StreamName":"alleycat","Records":[{"Data":"\(base64("one"))","PartitionKey":"a"},
            {"Data":"\(base64("two"))","PartitionKey":"b"},{"Data":"","PartitionKey":"x","ExplicitHashKey":"0"}]}
            """)
        #expect(answer == """
            {"FailedRecordCount":0,"Records":[{"SequenceNumber":"1000000000000000000000001","ShardId":"shardId-000000000000"},\
            {"SequenceNumber":"1000001000000000000000001","ShardId":"shardId-000000000001"},\
            {"SequenceNumber":"1000000000000000000000002","ShardId":"shardId-000000000000"}]}
            """)
        let stored = try! fixture.stream.getRecords(fixture.stream.shardIterator(shardId: ShardID(index: 0), type: .trimHorizon))
        #expect(stored.records.map { Array($0.data) } == [Array("one".utf8), []])
    }

    @Test func refusesRecordsOverTheShardRateAndKeepsTheRest() {
        let fixture = APIFixture(shards: 1, limits: ShardLimits(recordsPerSecond: 2))
        let records = (0..<3).map { #"{"Data":"eA==","PartitionKey":"k\#($0)"}"# }.joined(separator: ",")
        let answer = fixture.ok(.putRecords, #"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/alleycat","Records":[\#(records)]}"#)
        #expect(answer == """
            {"FailedRecordCount":1,"Records":[{"SequenceNumber":"1000000000000000000000001","ShardId":"shardId-000000000000"},\
            {"SequenceNumber":"1000000000000000000000002","ShardId":"shardId-000000000000"},\
            {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard shardId-000000000000 in stream alleycat: more than 2 records in one second; retry with backoff"}]}
            """)
    }

    @Test func refusesABadlyShapedCallWhole() {
        let fixture = APIFixture()
        let tooMany = (0..<501).map { _ in #"{"Data":"eA==","PartitionKey":"k"}"# }.joined(separator: ",")
        #expect(fixture.refusal(.putRecords, #"{"StreamName":"alleycat","Records":[\#(tooMany)]}"#)
            == .validation("PutRecords takes at most 500 records, got 501: split the batch"))
        #expect(fixture.refusal(.putRecords, #"{"StreamName":"alleycat","Records":[]}"#)
            == .validation("PutRecords needs at least 1 record, got 0"))
        #expect(fixture.refusal(.putRecords, #"{"StreamName":"alleycat"}"#)
            == .validation("1 validation error detected: Value null at 'records' failed to satisfy constraint: Member must not be null"))
        #expect(fixture.refusal(.putRecords, #"{"StreamName":"alleycat","Records":[{"Data":"eA=="}]}"#)
            == .validation("1 validation error detected: Value null at 'records.1.member.partitionKey' failed to satisfy constraint: Member must not be null"))
        #expect(fixture.refusal(.putRecords, #"{"StreamName":"alleycat","Records":[{"Data":"eA==","PartitionKey":""}]}"#)
            == .validation("records[0].PartitionKey is 0 characters long, must be 1 to 256"))
        #expect(fixture.refusal(.putRecords, #"{"StreamName":"alleycat","Records":[{"Data":"eA=","PartitionKey":"k"}]}"#)
            == .serialization("Records[0].Data is not valid base64: send the bytes base64-encoded with '=' padding"))
        #expect(fixture.refusal(.putRecords, #"{"StreamName":"alleycat","Records":{"Data":"eA=="}}"#)
            == .serialization("Records must be an array, got an object"))
        #expect(fixture.refusal(.putRecords, #"{"StreamName":"alleycat","Records":[{"Data":"eA==","PartitionKey":"k","ExplicitHashKey":"-1"}]}"#)
            == .validation("records[0].ExplicitHashKey '-1' is not a decimal integer in 0...2^128-1"))
        #expect(fixture.refusal(.putRecords, #"{"StreamName":"other","Records":[{"Data":"eA==","PartitionKey":"k"}]}"#)
            == .resourceNotFound("Stream other under account 000000000000 not found: this service's stream is 'alleycat'"))
        #expect(fixture.refusal(.putRecords, #"{"StreamName":"al ley","Records":[{"Data":"eA==","PartitionKey":"k"}]}"#)
            == .validation("1 validation error detected: Value 'al ley' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"))
        #expect(fixture.refusal(.putRecords, #"{"Records":[{"Data":"eA==","PartitionKey":"k"}]}"#)
            == .validation("Either StreamName or StreamARN is required: this service's stream is 'alleycat'"))
        #expect(fixture.refusal(.putRecords, #"{"StreamName":"alleycat","Records":[{"Data":"eA==","PartitionKey":"k"}]"#)
            == .serialization("Malformed JSON at byte 71: expected ',' or '}' after the value of \"Records\""))
        // Nothing of a refused call is taken.
        #expect(fixture.stream.listShards().map(\.recordCount) == [0, 0])
    }

    @Test func clientEncodingAndDecodingRoundTrip() throws {
        let fixture = APIFixture()
        let entries = [
            PutRecordsRequestEntry(data: [0, 255, 10], partitionKey: "a"),
            PutRecordsRequestEntry(data: Array("x\"y".utf8), partitionKey: "ü", explicitHashKey: String(UInt128.max)),
        ]
        let body = try fixture.api.handle(.putRecords, body: PutRecordsCall.requestBody(streamName: "alleycat", entries: entries))
        let response = try PutRecordsCall.response(body)
        #expect(response == PutRecordsResponse(failedPutCount: 0, records: [
            .accepted(shardId: ShardID(index: 0), sequenceNumber: SequenceNumber(shardIndex: 0, counter: 1)),
            .accepted(shardId: ShardID(index: 1), sequenceNumber: SequenceNumber(shardIndex: 1, counter: 1)),
        ]))
        let stored = try fixture.stream.getRecords(fixture.stream.shardIterator(shardId: ShardID(index: 1), type: .trimHorizon))
        #expect(stored.records.map(\.partitionKey) == ["ü"])
        #expect(Array(stored.records[0].data) == Array("x\"y".utf8))
        #expect(PutRecordsCall.refusal(Array(#"{"__type":"com.amazon#ThrottlingException","message":"slow down"}"#.utf8)) == ("ThrottlingException", "slow down"))
        #expect(PutRecordsCall.refusal(Array("<html>".utf8)) == ("", "<html>"))
    }
}

/// A producer reads the shards out of any Kinesis-compatible answer (moto numbers records
/// from 1, Amazon Kinesis with 56 digits), refused records as nil; a sequence number
/// outside Kinesis's pattern, or a record with neither outcome, is an error.
@Test func acceptedShardsAreReadFromAnyKinesisAnswer() throws {
    let answer = #"{"FailedRecordCount":1,"Records":[{"SequenceNumber":"45","ShardId":"shardId-000000000001"},"#
        + #"{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"},"#
        + #"{"SequenceNumber":"49659271316441145513917423487347543582484213617469685762","ShardId":"shardId-000000000000"}]}"#
    #expect(try PutRecordsCall.acceptedShards(Array(answer.utf8)) == [ShardID(index: 1), nil, ShardID(index: 0)])
    #expect(throws: WireError("Records[0] has neither a ShardId and SequenceNumber nor an ErrorCode")) {
        try PutRecordsCall.acceptedShards(Array(#"{"FailedRecordCount":0,"Records":[{"SequenceNumber":"007","ShardId":"shardId-000000000001"}]}"#.utf8))
    }
    #expect(throws: WireError("Records[1] has neither a ShardId and SequenceNumber nor an ErrorCode")) {
        try PutRecordsCall.acceptedShards(Array(#"{"Records":[{"SequenceNumber":"0","ShardId":"shardId-000000000001"},{}]}"#.utf8))
    }
}

/// PutRecords' CBOR answer, written straight in CBOR, is byte for byte the JSON answer transcoded.
@Test func putRecordsInCBORIsTheJSONAnswerTranscoded() throws {
    let body = #"{"StreamName":"alleycat","Records":[{"Data":"aGk=","PartitionKey":"a"},{"Data":"aGk=","PartitionKey":"a"},{"Data":"aGk=","PartitionKey":"b"}]}"#
    let limits = ShardLimits(recordsPerSecond: 1)
    let json = APIFixture(shards: 2, limits: limits).ok(.putRecords, body)
    #expect(json.contains(#""FailedRecordCount":1"#) && json.contains("ProvisionedThroughputExceededException"))
    let direct = try APIFixture(shards: 2, limits: limits).api.putRecordsCBOR(Array(body.utf8))
    #expect(direct == (try KinesisCBOR.answerCBOR(json: Array(json.utf8))))
}
