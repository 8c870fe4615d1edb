import KinesisStream
import KinesisWire

/// PutRecords' request: StreamName or StreamARN and Records, each with Data,
/// PartitionKey and an optional ExplicitHashKey. Counts and sizes are the
/// stream's own checks (KinesisStream's PutRecordsValidation).
struct PutRecordsInput {
    var stream: StreamTarget
    var records: [PutRecordsRequestEntry]

    init(json: [UInt8]) throws(KinesisAPIError) {
        var stream = StreamTarget()
        var records: [PutRecordsRequestEntry]?
        try readRequest(json) { reader, member in
            if try stream.read(member, &reader) { return }
            switch member {
            case "Records":
                if reader.readNull() { return }
                try reader.expectKind(.array, "Records")
                var entries: [PutRecordsRequestEntry] = []
                entries.reserveCapacity(CallLimits.maximumRecordsPerPut)
                try reader.readArray { reader, index in
                    entries.append(try Self.record(&reader, index: index))
                }
                records = entries
            default:
                try reader.skipValue()
            }
        }
        guard let records else { throw missing("records") }
        self.stream = stream
        self.records = records
    }

    private static func record(_ reader: inout JSONReader, index: Int) throws -> PutRecordsRequestEntry {
        try reader.expectKind(.object, "Records[\(index)]")
        var data: [UInt8]?
        var partitionKey: String?
        var explicitHashKey: String?
        try reader.readObject { reader, member in
            switch member {
            case "Data": data = try reader.optionalBase64("Records[\(index)].Data")
            case "PartitionKey": partitionKey = try reader.optionalString("Records[\(index)].PartitionKey")
            case "ExplicitHashKey": explicitHashKey = try reader.optionalString("Records[\(index)].ExplicitHashKey")
            default: try reader.skipValue()
            }
        }
        // Kinesis names members of a list from 1.
        guard let data else { throw missing("records.\(index + 1).member.data") }
        guard let partitionKey else { throw missing("records.\(index + 1).member.partitionKey") }
        return PutRecordsRequestEntry(data: data, partitionKey: partitionKey, explicitHashKey: explicitHashKey)
    }
}
