import AWSClient
import KinesisWire
import StreamReading

/// GetRecords on the wire. The answer's records are decoded into one `ByteBlock` per
/// answer, sized from the base64 lengths, and handed out as views of it: one allocation
/// for up to 10,000 records, instead of one array each.
public enum GetRecordsCall {
    public static let action = "GetRecords"

    public static func requestBody(iterator: String, limit: Int) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + iterator.utf8.count)
        writer.beginObject()
        writer.key("ShardIterator")
        writer.string(iterator)
        writer.key("Limit")
        writer.integer(min(max(limit, 1), 10_000))
        writer.endObject()
        return writer.bytes
    }

    /// A record as the first pass finds it: its data still base64 in the body.
    private struct Pending {
        var sequenceNumber: RecordSequence
        var arrivalMillis: Int64
        var partitionKey: String
        var data: Range<Int>
    }

    /// Reads a 200 answer's body; the records are `shardId`'s. A null or absent
    /// NextShardIterator means the shard is closed and read to its end.
    public static func response(_ body: [UInt8], shardId: String) throws(WireError) -> SourceBatch {
        var pending: [Pending] = []
        var next: String?
        var millisBehind: Int64 = 0
        try readAnswer(body) { reader, member in
            switch member {
            case "Records":
                if reader.readNull() { return }
                try reader.readArray { reader, index in pending.append(try record(&reader, index)) }
            case "NextShardIterator":
                next = try reader.optionalString()
            case "MillisBehindLatest":
                if !reader.readNull() { millisBehind = try reader.readInteger(field: "MillisBehindLatest") }
            default:
                try reader.skipValue()
            }
        }
        var records: [StreamRecord] = []
        if !pending.isEmpty {
            records.reserveCapacity(pending.count)
            let block = ByteBlock(capacity: pending.reduce(0) { $0 + $1.data.count / 4 * 3 })
            for (index, record) in pending.enumerated() {
                let (offset, count) = try decode(body, record.data, into: block, index: index)
                records.append(
                    StreamRecord(
                        shardId: shardId, sequenceNumber: record.sequenceNumber, approximateArrivalMillis: record.arrivalMillis,
                        partitionKey: record.partitionKey, data: RecordData(block: block, offset: offset, count: count)))
            }
        }
        return SourceBatch(records: records, next: next.map { SourceIterator(shardId: shardId, token: $0) }, millisBehindLatest: millisBehind)
    }

    private static func record(_ reader: inout JSONReader, _ index: Int) throws -> Pending {
        var sequence: RecordSequence?
        var arrival: Int64?
        var key: String?
        var data: Range<Int>?
        try reader.readObject { reader, member in
            switch member {
            case "SequenceNumber":
                sequence = try ListShardsCall.sequence(reader.requiredString("Records[\(index)].SequenceNumber"), "Records[\(index)].SequenceNumber")
            case "ApproximateArrivalTimestamp": arrival = try reader.epochMillis("Records[\(index)].ApproximateArrivalTimestamp")
            case "PartitionKey": key = try reader.requiredString("Records[\(index)].PartitionKey")
            case "Data": data = try reader.stringRange("Records[\(index)].Data")
            default: try reader.skipValue()
            }
        }
        guard let sequence else { throw WireError("Records[\(index)] has no SequenceNumber") }
        guard let arrival else { throw WireError("Records[\(index)] (\(sequence)) has no ApproximateArrivalTimestamp") }
        guard let key else { throw WireError("Records[\(index)] (\(sequence)) has no PartitionKey") }
        guard let data else { throw WireError("Records[\(index)] (\(sequence)) has no Data") }
        return Pending(sequenceNumber: sequence, arrivalMillis: arrival, partitionKey: key, data: data)
    }

    /// Appends one record's bytes to `block`: decoded in place, or, for base64 written with
    /// JSON escapes (or not base64 at all), through the reader, which unescapes and names the fault.
    private static func decode(_ body: [UInt8], _ range: Range<Int>, into block: ByteBlock, index: Int) throws(WireError) -> (offset: Int, count: Int) {
        var written = -1
        let offset = body.withUnsafeBufferPointer { body in
            block.appendInPlace(range.count / 4 * 3) { output in
                written = Base64.decode(UnsafeBufferPointer(rebasing: body[range]), into: output) ?? -1
                return max(written, 0)
            }
        }
        if written >= 0 { return (offset, written) }
        var reader = JSONReader(Array(body[(range.lowerBound - 1)...range.upperBound]))
        let bytes = try reader.readBase64(field: "Records[\(index)].Data")
        guard bytes.count <= block.available else { throw WireError("Records[\(index)].Data is longer than its base64") }
        return (bytes.withUnsafeBytes { block.append($0) }, bytes.count)
    }
}

extension KinesisClient {
    /// One GetRecords. The empty token (`iterator` of a closed shard with nothing left)
    /// is answered here as the shard's end, without a call.
    public func read(_ iterator: SourceIterator, limit: Int) throws(SourceError) -> SourceBatch {
        guard !iterator.token.isEmpty else { return SourceBatch(records: [], next: nil, millisBehindLatest: 0) }
        return try answer(GetRecordsCall.action, GetRecordsCall.requestBody(iterator: iterator.token, limit: min(limit, maximumReadLimit))) {
            body throws(WireError) in try GetRecordsCall.response(body, shardId: iterator.shardId)
        }
    }
}
