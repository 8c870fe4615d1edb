import Foundation
import Storage
import StreamReading
import Synchronization

/// Positions of consumers of a remote source (Kinesis keeps none for its readers):
/// one small JSON file per source under the data directory, written atomically on
/// every save, so a restarted service resumes where its objects end.
public final class FileCheckpointStore: CheckpointStore {
    public let path: String
    public let sourceName: String
    private let positions: Mutex<[String: [String: RecordSequence]]>

    private struct File: Codable {
        var source: String
        /// Consumer → shard id → sequence number.
        var consumers: [String: [String: String]]
    }

    /// Opens (or starts) the checkpoints of `sourceName` in `directory`.
    public init(directory: String, sourceName: String) throws {
        self.sourceName = sourceName
        let safe = sourceName.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
        path = directory + "/" + String(safe) + ".json"
        var loaded: [String: [String: RecordSequence]] = [:]
        if FileManager.default.fileExists(atPath: path) {
            let file: File
            do {
                file = try JSONDecoder().decode(File.self, from: Data(AtomicFile.read(path)))
            } catch {
                throw FileCheckpointError("the checkpoints in \(path) do not read as JSON (\(error)): move the file away to read \(sourceName) from its start again")
            }
            for (consumer, shards) in file.consumers {
                for (shard, text) in shards {
                    guard let sequence = RecordSequence(text) else {
                        throw FileCheckpointError("the checkpoints in \(path) give '\(text)' for \(consumer) in \(shard), not a sequence number: move the file away to read \(sourceName) from its start again")
                    }
                    loaded[consumer, default: [:]][shard] = sequence
                }
            }
        }
        positions = Mutex(loaded)
    }

    public func checkpoints(consumer: String) throws(SourceError) -> [String: RecordSequence] {
        positions.withLock { $0[consumer] ?? [:] }
    }

    public func save(consumer: String, _ moved: [String: RecordSequence]) throws(SourceError) {
        let result: Result<Void, SourceError> = positions.withLock { positions in
            var changed = false
            for (shard, sequence) in moved where positions[consumer]?[shard].map({ $0 < sequence }) ?? true {
                positions[consumer, default: [:]][shard] = sequence
                changed = true
            }
            guard changed else { return .success(()) }
            let file = File(source: sourceName, consumers: positions.mapValues { $0.mapValues(\.text) })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            do {
                try AtomicFile.write(Array(try encoder.encode(file)), to: path)
                return .success(())
            } catch {
                return .failure(.failure("cannot save the checkpoints of \(consumer) to \(path): \(error)"))
            }
        }
        try result.get()
    }
}

public struct FileCheckpointError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
