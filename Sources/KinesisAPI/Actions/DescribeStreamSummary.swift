import Foundation
import Synchronization
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

    /// PROVISIONED or ON_DEMAND.
    var streamMode: String { mode.isOnDemand ? "ON_DEMAND" : "PROVISIONED" }

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
        writer.string(streamMode)
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

/// A stream's capacity mode, kept in a file beside a durable stream's log (`mode`:
/// PROVISIONED or ON_DEMAND) so it survives a restart. ON_DEMAND is recorded and shown;
/// the stream's shards do not scale by themselves.
final class StreamMode: Sendable {
    private let path: String?
    private let onDemand: Mutex<Bool>

    init(path: String?, onDemand: Bool) {
        self.path = path
        let saved = path.flatMap { FileManager.default.contents(atPath: $0) }.map { String(decoding: $0, as: UTF8.self) }
        self.onDemand = Mutex(saved.map { $0.hasPrefix("ON_DEMAND") } ?? onDemand)
    }

    var isOnDemand: Bool { onDemand.withLock { $0 } }

    /// Sets the mode (UpdateStreamMode), saved first when it is kept.
    func set(onDemand value: Bool) throws(KinesisAPIError) {
        if let path {
            do {
                try Data((value ? "ON_DEMAND\n" : "PROVISIONED\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw .internalFailure("the stream's mode could not be saved to \(path) (\(error)); nothing changed: retry later")
            }
        }
        onDemand.withLock { $0 = value }
    }
}
