import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// PutRecord → `{"ShardId", "SequenceNumber"}`; a throughput refusal is a
    /// ProvisionedThroughputExceededException for the call.
    func putRecord(_ input: PutRecordInput) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        let shardId: ShardID
        let sequenceNumber: SequenceNumber
        do {
            (shardId, sequenceNumber) = try stream.putRecord(input.entry)
        } catch {
            throw KinesisAPIError(error)
        }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("ShardId")
        writer.shardId(shardId)
        writer.key("SequenceNumber")
        writer.sequenceNumber(sequenceNumber)
        writer.endObject()
        return writer.bytes
    }
}
