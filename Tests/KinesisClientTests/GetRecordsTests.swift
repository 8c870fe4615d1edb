import KinesisWire
import StreamReading
import Testing

@testable import KinesisClient

struct GetRecordsTests {
    @Test func requestBodyClampsTheLimit() {
        #expect(String(decoding: GetRecordsCall.requestBody(iterator: "dDpz\n", limit: 500), as: UTF8.self) == #"{"ShardIterator":"dDpz\n","Limit":500}"#)
        #expect(String(decoding: GetRecordsCall.requestBody(iterator: "a", limit: 20_000), as: UTF8.self) == #"{"ShardIterator":"a","Limit":10000}"#)
        #expect(String(decoding: GetRecordsCall.requestBody(iterator: "a", limit: 0), as: UTF8.self) == #"{"ShardIterator":"a","Limit":1}"#)
    }

    /// As moto writes it: spaces, fractions of seconds, an escaped newline in the iterator.
    @Test func motoAnswer() throws {
        let body = #"{"Records": [{"SequenceNumber": "1", "ApproximateArrivalTimestamp": 1796120695.973, "Data": "aGVsbG8=", "PartitionKey": "a"}, {"SequenceNumber": "2", "ApproximateArrivalTimestamp": 1796120696.1, "Data": "eHh4eHh4eHh4eA==", "PartitionKey": "c"}], "NextShardIterator": "dDpzaGFyZElkLTAwMDAwMDAwMDAwMDoy\n", "MillisBehindLatest": 0}"#
        let batch = try GetRecordsCall.response(Array(body.utf8), shardId: "shardId-000000000000")
        #expect(batch.records.map(\.shardId) == ["shardId-000000000000", "shardId-000000000000"])
        #expect(batch.records.map(\.sequenceNumber.text) == ["1", "2"])
        #expect(batch.records.map(\.approximateArrivalMillis) == [1_796_120_695_973, 1_796_120_696_100])
        #expect(batch.records.map(\.partitionKey) == ["a", "c"])
        #expect(batch.records.map(\.data.bytes) == [Array("hello".utf8), Array("xxxxxxxxxx".utf8)])
        #expect(batch.next == SourceIterator(shardId: "shardId-000000000000", token: "dDpzaGFyZElkLTAwMDAwMDAwMDAwMDoy\n"))
        #expect(batch.millisBehindLatest == 0)
    }

    /// As Amazon Kinesis writes it, with what a reader must take in its stride: members it does
    /// not know, a whole-second or exponent timestamp, an escaped '/', empty data, a null iterator.
    @Test func closedShardAnswer() throws {
        let sequence = "49590338271490256608559692538361571095921575989136588898"
        let body = """
            {"Records":[\
            {"SequenceNumber":"\(sequence)","ApproximateArrivalTimestamp":1796120695,"Data":"AAEC\\/w==","PartitionKey":"p/1","EncryptionType":"KMS"},\
            {"SequenceNumber":"49590338271490256608559692538361571095921575989136588899","ApproximateArrivalTimestamp":1.796120695973E9,"Data":"","PartitionKey":"\\u00fc"}\
            ],"NextShardIterator":null,"MillisBehindLatest":1234,"ChildShards":[{"ShardId":"shardId-000000000002","ParentShards":["shardId-000000000000"]}]}
            """
        let batch = try GetRecordsCall.response(Array(body.utf8), shardId: "shardId-000000000000")
        #expect(batch.records.map(\.sequenceNumber.text) == [sequence, "49590338271490256608559692538361571095921575989136588899"])
        #expect(batch.records.map(\.approximateArrivalMillis) == [1_796_120_695_000, 1_796_120_695_973])
        #expect(batch.records.map(\.partitionKey) == ["p/1", "ü"])
        #expect(batch.records.map(\.data.bytes) == [[0x00, 0x01, 0x02, 0xFF], []])
        #expect(batch.next == nil)
        #expect(batch.millisBehindLatest == 1234)
    }

    @Test func recordsAreViewsOfOneBlock() throws {
        let payloads: [[UInt8]] = [[1], [2, 3], [4, 5, 6], Array(0...255), Array(repeating: 7, count: 1000)]
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("Records")
        writer.beginArray()
        for (index, payload) in payloads.enumerated() {
            writer.beginObject()
            writer.key("SequenceNumber")
            writer.string(String(index + 10))
            writer.key("ApproximateArrivalTimestamp")
            writer.epochSeconds(millis: 1_000_000 + Int64(index))
            writer.key("Data")
            payload.withUnsafeBytes { writer.base64($0) }
            writer.key("PartitionKey")
            writer.string("k\(index)")
            writer.endObject()
        }
        writer.endArray()
        writer.key("NextShardIterator")
        writer.string("next")
        writer.endObject()
        let batch = try GetRecordsCall.response(writer.bytes, shardId: "s")
        #expect(batch.records.map(\.data.bytes) == payloads)
        #expect(batch.records.map(\.approximateArrivalMillis) == [1_000_000, 1_000_001, 1_000_002, 1_000_003, 1_000_004])
        #expect(batch.millisBehindLatest == 0)
        let starts = batch.records.map { record in record.data.withUnsafeBytes { Int(bitPattern: $0.baseAddress) } }
        for index in 1..<starts.count {
            #expect(starts[index] == starts[index - 1] + payloads[index - 1].count, "record \(index) follows record \(index - 1) in the block")
        }
    }

    @Test func emptyAnswers() throws {
        let absent = try GetRecordsCall.response(Array(#"{"Records":[],"MillisBehindLatest":0}"#.utf8), shardId: "s")
        #expect(absent.records.isEmpty)
        #expect(absent.next == nil)
        let open = try GetRecordsCall.response(Array(#"{"Records":[],"NextShardIterator":"i","MillisBehindLatest":86400000}"#.utf8), shardId: "s")
        #expect(open.records.isEmpty)
        #expect(open.next == SourceIterator(shardId: "s", token: "i"))
        #expect(open.millisBehindLatest == 86_400_000)
    }

    @Test(arguments: [
        (#"{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1,"Data":"aGVsbG8","PartitionKey":"a"}]}"#,
         "Records[0].Data is not valid base64: send the bytes base64-encoded with '=' padding"),
        (#"{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1,"Data":"aGVsbG8="}]}"#, "Records[0] (1) has no PartitionKey"),
        (#"{"Records":[{"SequenceNumber":"1","Data":"","PartitionKey":"a"}]}"#, "Records[0] (1) has no ApproximateArrivalTimestamp"),
        (#"{"Records":[{"ApproximateArrivalTimestamp":1,"Data":"","PartitionKey":"a"}]}"#, "Records[0] has no SequenceNumber"),
        (#"{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1,"PartitionKey":"a"}]}"#, "Records[0] (1) has no Data"),
        (#"{"Records":[{"SequenceNumber":"12a","ApproximateArrivalTimestamp":1,"Data":"","PartitionKey":"a"}]}"#,
         "Records[0].SequenceNumber is '12a', not a sequence number of 1 to 129 digits"),
        (#"{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":"soon","Data":"","PartitionKey":"a"}]}"#,
         "Records[0].ApproximateArrivalTimestamp is not a number of epoch seconds"),
        (#"{"Records":[{"SequenceNumber":1,"ApproximateArrivalTimestamp":1,"Data":"","PartitionKey":"a"}]}"#, "Records[0].SequenceNumber is not a string"),
        ("<html>", "Malformed JSON at byte 0: unexpected '<'"),
        ("[]", "the answer is not a JSON object"),
    ])
    func unreadableAnswers(body: String, message: String) {
        #expect(throws: WireError(message)) { try GetRecordsCall.response(Array(body.utf8), shardId: "s") }
    }
}
