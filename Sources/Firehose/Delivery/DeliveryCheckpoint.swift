import Foundation
import KinesisStream
import Storage

/// The firehose's durable position: per shard, the last sequence number whose
/// record is in a written object (or was dropped or set aside). Kept as a small
/// JSON file in a hidden folder of the delivery bucket, written atomically.
struct DeliveryCheckpoint: Codable, Equatable {
    var deliveryStream: String
    var consumer: String
    /// The identity of the stream the positions are in (`KinesisStream.identity`).
    var stream: String?
    /// Shard id → sequence number.
    var shards: [String: String]

    static func path(bucket: Bucket, deliveryStream: String) -> String {
        bucket.directory + "/.checkpoints/\(deliveryStream).json"
    }

    static func load(from path: String) throws -> DeliveryCheckpoint? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes = try AtomicFile.read(path)
        do {
            return try JSONDecoder().decode(DeliveryCheckpoint.self, from: Data(bytes))
        } catch {
            throw FirehoseConfigurationError("checkpoint file \(path) is not readable JSON (\(error)); move it away to start from the stream's oldest records")
        }
    }

    func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)), to: path)
    }

    var sequenceNumbers: [SequenceNumber] {
        shards.values.compactMap(SequenceNumber.init)
    }
}
