import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// PutRecords → `{"FailedRecordCount", "Records": [...]}`, one entry per record in
    /// request order: `{"SequenceNumber", "ShardId"}` or `{"ErrorCode", "ErrorMessage"}`.
    func putRecords(_ input: PutRecordsInput) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        let response: PutRecordsResponse
        do {
            response = try stream.putRecords(input.records)
        } catch {
            throw KinesisAPIError(error)
        }
        return Self.encode(response)
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
