import KinesisCBOR
import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// PutRecords → `{"FailedRecordCount", "Records": [...]}`, one entry per record in
    /// request order: `{"SequenceNumber", "ShardId"}` or `{"ErrorCode", "ErrorMessage"}`.
    func putRecords(_ input: PutRecordsInput) throws(KinesisAPIError) -> [UInt8] {
        Self.encode(try putRecordsResponse(input))
    }

    func putRecordsResponse(_ input: PutRecordsInput) throws(KinesisAPIError) -> PutRecordsResponse {
        try input.stream.check(self)
        do {
            return try stream.putRecords(input.records)
        } catch {
            throw KinesisAPIError(error)
        }
    }

    /// PutRecords with its answer written straight in CBOR (the ingest path of CBOR
    /// clients: transcoding a 500-record answer from JSON costs more than the call).
    /// `body` is the request as JSON.
    public func putRecordsCBOR(_ body: [UInt8], region: String? = nil) throws(KinesisAPIError) -> [UInt8] {
        if let region, region != self.region, Self.isRegionName(region) { return try inRegion(region).putRecordsCBOR(body) }
        let response = try putRecordsResponse(PutRecordsInput(json: body))
        var writer = CBORWriter(capacity: 64 + response.records.count * 64)
        writer.mapHead(count: 2)
        writer.text("FailedRecordCount")
        writer.integer(Int64(response.failedPutCount))
        writer.text("Records")
        writer.arrayHead(count: response.records.count)
        for record in response.records {
            writer.mapHead(count: 2)
            switch record {
            case let .accepted(shardId, sequenceNumber):
                writer.text("SequenceNumber")
                writer.text(sequenceNumber.description)
                writer.text("ShardId")
                writer.text(shardId.description)
            case let .refused(errorCode, errorMessage):
                writer.text("ErrorCode")
                writer.text(errorCode.rawValue)
                writer.text("ErrorMessage")
                writer.text(errorMessage)
            }
        }
        return writer.bytes
    }

    /// The answer's bytes (also what a test or a client decodes with `PutRecordsCall`).
    static func encode(_ response: PutRecordsResponse) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + response.records.count * 80)
        writer.beginObject()
        writer.key("FailedRecordCount")
        writer.integer(response.failedPutCount)
        writer.key("Records")
        writer.beginArray()
        for record in response.records {
            writer.beginObject()
            switch record {
            case let .accepted(shardId, sequenceNumber):
                writer.key("SequenceNumber")
                writer.sequenceNumber(sequenceNumber)
                writer.key("ShardId")
                writer.shardId(shardId)
            case let .refused(errorCode, errorMessage):
                writer.key("ErrorCode")
                writer.string(errorCode.rawValue)
                writer.key("ErrorMessage")
                writer.string(errorMessage)
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}
