import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// DescribeStreamSummary → `{"StreamDescriptionSummary": {...}}`: the stream is
    /// always ACTIVE and PROVISIONED, unencrypted, with no enhanced fan-out consumers.
    func describeStreamSummary(_ input: DescribeStreamSummaryInput) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("StreamDescriptionSummary")
        writer.beginObject()
        writeStreamIdentity(&writer)
        writeStreamSettings(&writer)
        writer.key("OpenShardCount")
        writer.integer(stream.openShardCount)
        writer.key("ConsumerCount")
        writer.integer(consumers.count)
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }

    /// StreamName, StreamARN, StreamStatus and StreamModeDetails (ListStreams' summaries,
    /// DescribeStream, DescribeStreamSummary).
    func writeStreamIdentity(_ writer: inout JSONWriter) {
        writer.key("StreamName")
        writer.string(stream.name)
        writer.key("StreamARN")
        writer.string(streamARN)
        writer.key("StreamStatus")
        writer.string("ACTIVE")
        writer.key("StreamModeDetails")
        writer.beginObject()
        writer.key("StreamMode")
        writer.string("PROVISIONED")
        writer.endObject()
    }

    /// RetentionPeriodHours, StreamCreationTimestamp, EnhancedMonitoring and EncryptionType.
    func writeStreamSettings(_ writer: inout JSONWriter) {
        writer.key("RetentionPeriodHours")
        writer.integer(stream.retentionMillis / 3_600_000)
        writer.key("StreamCreationTimestamp")
        writer.epochSeconds(millis: createdMillis)
        writer.key("EnhancedMonitoring")
        writer.beginArray()
        writer.beginObject()
        writer.key("ShardLevelMetrics")
        writer.beginArray()
        writer.endArray()
        writer.endObject()
        writer.endArray()
        writer.key("EncryptionType")
        writer.string("NONE")
    }
}
