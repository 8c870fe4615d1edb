import Foundation
import KinesisStream
import StreamReading
import Testing
@testable import Firehose

@Suite struct InvocationEventTests {
    @Test func theEventHasTheLambdaShape() throws {
        let rig = Rig()
        defer { rig.remove() }
        try rig.put([rider(1)], key: "racer-1")
        let source = EmbeddedSource(stream: rig.stream)
        let record = try source.read(source.iterator(shardId: "shardId-000000000000", start: .trimHorizon), limit: 1).records[0]
        let event = InvocationEvent().json([ProcessorRecord(recordId: 0, record: record)])
        let object = try JSONSerialization.jsonObject(with: Data(event)) as! [String: Any]
        #expect(object["region"] as? String == "local")
        #expect(object["deliveryStreamArn"] as? String == "arn:aws:firehose:local:000000000000:deliverystream/alleycat-data-firehose")
        #expect((object["invocationId"] as? String)?.count == 36)
        #expect(object["sourceKinesisStreamArn"] as? String == "arn:aws:kinesis:local:000000000000:stream/alleycat")
        let first = (object["records"] as! [[String: Any]])[0]
        #expect(first["recordId"] as? String == "0")
        #expect(first["approximateArrivalTimestamp"] as? Int == 1_700_000_000_000)
        #expect(first["data"] as? String == Data(rider(1).utf8).base64EncodedString())
        let metadata = first["kinesisRecordMetadata"] as! [String: Any]
        #expect(metadata["sequenceNumber"] as? String == "1000000000000000000000001")
        #expect(metadata["partitionKey"] as? String == "racer-1")
        #expect(metadata["subsequenceNumber"] as? Int == 0)
        #expect(metadata["shardId"] as? String == "shardId-000000000000")
        #expect(metadata["approximateArrivalTimestamp"] as? Int == 1_700_000_000_000)
    }

    @Test func theEventIsWrittenByteForByte() throws {
        let rig = Rig()
        defer { rig.remove() }
        try rig.put(["hi"], key: #"racer "1""#)
        let source = EmbeddedSource(stream: rig.stream)
        let record = try source.read(source.iterator(shardId: "shardId-000000000000", start: .trimHorizon), limit: 1).records[0]
        let event = InvocationEvent(deliveryStreamName: "d", streamName: "s", region: "eu-west-1")
        let text = String(decoding: event.json([ProcessorRecord(recordId: 7, record: record)]), as: UTF8.self)
        let prefix = #"{"invocationId":""#
        #expect(text.hasPrefix(prefix))
        let id = String(text.dropFirst(prefix.count).prefix(36))
        #expect(UUID(uuidString: id) != nil)
        #expect(text == prefix + id + #"","deliveryStreamArn":"arn:aws:firehose:eu-west-1:000000000000:deliverystream/d","# +
            #""sourceKinesisStreamArn":"arn:aws:kinesis:eu-west-1:000000000000:stream/s","region":"eu-west-1","records":[{"recordId":"7","# +
            #""approximateArrivalTimestamp":1700000000000,"data":"aGk=","kinesisRecordMetadata":{"sequenceNumber":"1000000000000000000000001","# +
            #""subsequenceNumber":0,"partitionKey":"racer \"1\"","shardId":"shardId-000000000000","approximateArrivalTimestamp":1700000000000}}]}"#)
    }
}
