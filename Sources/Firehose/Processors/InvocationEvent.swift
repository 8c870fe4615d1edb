import Foundation
import RaceModel

/// The event a Firehose data-transformation Lambda receives, written on bytes (it is
/// the hot path of an outside processor): `invocationId`, `deliveryStreamArn`,
/// `sourceKinesisStreamArn`, `region` and `records` with `recordId`,
/// `approximateArrivalTimestamp`, base64 `data` and `kinesisRecordMetadata`.
public struct InvocationEvent: Sendable {
    public let deliveryStreamName: String
    public let streamName: String
    public let region: String

    public init(deliveryStreamName: String = DeliveryStreamConfiguration.defaultName, streamName: String = "alleycat", region: String = "local") {
        self.deliveryStreamName = deliveryStreamName
        self.streamName = streamName
        self.region = region
    }

    /// The event JSON of one invocation, with a new invocation id.
    public func json(_ records: [ProcessorRecord]) -> [UInt8] {
        var out: [UInt8] = []
        write(records, into: &out)
        return out
    }

    /// Appends the event JSON of one invocation to `out`.
    public func write(_ records: [ProcessorRecord], into out: inout [UInt8]) {
        out.reserveCapacity(out.count + 256 + records.reduce(0) { $0 + $1.record.data.count * 4 / 3 + 320 })
        RecordWriter.appendLiteral("{\"invocationId\":", into: &out)
        RecordWriter.appendString(UUID().uuidString.lowercased(), into: &out)
        RecordWriter.appendLiteral(",\"deliveryStreamArn\":", into: &out)
        RecordWriter.appendString("arn:aws:firehose:\(region):000000000000:deliverystream/\(deliveryStreamName)", into: &out)
        RecordWriter.appendLiteral(",\"sourceKinesisStreamArn\":", into: &out)
        RecordWriter.appendString("arn:aws:kinesis:\(region):000000000000:stream/\(streamName)", into: &out)
        RecordWriter.appendLiteral(",\"region\":", into: &out)
        RecordWriter.appendString(region, into: &out)
        RecordWriter.appendLiteral(",\"records\":[", into: &out)
        for (index, input) in records.enumerated() {
            let record = input.record
            RecordWriter.appendLiteral(index == 0 ? "{\"recordId\":\"" : ",{\"recordId\":\"", into: &out)
            DecimalNumber(input.recordId).write(into: &out)
            RecordWriter.appendLiteral("\",\"approximateArrivalTimestamp\":", into: &out)
            DecimalNumber(mantissa: record.approximateArrivalMillis).write(into: &out)
            RecordWriter.appendLiteral(",\"data\":\"", into: &out)
            out.append(contentsOf: record.data.withUnsafeBytes { Data($0).base64EncodedData() })
            RecordWriter.appendLiteral("\",\"kinesisRecordMetadata\":{\"sequenceNumber\":\"", into: &out)
            out.append(contentsOf: record.sequenceNumber.description.utf8)
            RecordWriter.appendLiteral("\",\"subsequenceNumber\":0,\"partitionKey\":", into: &out)
            RecordWriter.appendString(record.partitionKey, into: &out)
            RecordWriter.appendLiteral(",\"shardId\":", into: &out)
            RecordWriter.appendString(record.shardId, into: &out)
            RecordWriter.appendLiteral(",\"approximateArrivalTimestamp\":", into: &out)
            DecimalNumber(mantissa: record.approximateArrivalMillis).write(into: &out)
            RecordWriter.appendLiteral("}}", into: &out)
        }
        RecordWriter.appendLiteral("]}", into: &out)
    }
}
