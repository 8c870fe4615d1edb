import KinesisStream
import KinesisWire

/// PutRecord's request: StreamName or StreamARN, Data, PartitionKey, ExplicitHashKey,
/// SequenceNumberForOrdering (checked, then not needed: a shard keeps arrival order).
struct PutRecordInput {
    var stream = StreamTarget()
    var entry: PutRecordsRequestEntry

    init(json: [UInt8]) throws(KinesisAPIError) {
        var stream = StreamTarget()
        var data: [UInt8]?
        var partitionKey: String?
        var explicitHashKey: String?
        var ordering: String?
        try readRequest(json) { reader, member in
            if try stream.read(member, &reader) { return }
            switch member {
            case "Data": data = try reader.optionalBase64("Data")
            case "PartitionKey": partitionKey = try reader.optionalString("PartitionKey")
            case "ExplicitHashKey": explicitHashKey = try reader.optionalString("ExplicitHashKey")
            case "SequenceNumberForOrdering": ordering = try reader.optionalString("SequenceNumberForOrdering")
            default: try reader.skipValue()
            }
        }
        guard let data else { throw missing("data") }
        guard let partitionKey else { throw missing("partitionKey") }
        if let ordering, !isDecimalInteger(ordering, maximumDigits: 129) {
            throw constraintError("sequenceNumberForOrdering", value: ordering, "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})")
        }
        self.stream = stream
        self.entry = PutRecordsRequestEntry(data: data, partitionKey: partitionKey, explicitHashKey: explicitHashKey)
    }
}
