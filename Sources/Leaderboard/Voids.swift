import Foundation
import HistoryFile
import RaceModel
import RaceStore
import Storage

/// The voids that hold, by race id, so a merge leaves their records out with one lookup a record.
struct VoidedResults: Sendable {
    private var byRace: [Int64: [VoidScope]] = [:]

    init() {}

    init(_ records: [VoidRecord]) {
        for record in records where record.undoneMillis == nil {
            byRace[record.scope.raceId, default: []].append(record.scope)
        }
    }

    func covers(_ message: HistoryMerger.Merged) -> Bool {
        guard !byRace.isEmpty, let scopes = byRace[message.raceId] else { return false }
        return scopes.contains { $0.covers(raceId: message.raceId, classId: Int(message.classId), racerId: message.racerId) }
    }
}

/// What `HistoryMerger.recompute` wrote.
public struct RecomputeReport: Sendable, Equatable {
    /// Class id → racers whose records were computed again.
    public var racers: [Int: Int] = [:]
    public var filesWritten: [String] = []
}

extension HistoryMerger {
    /// After a void or its undo: each affected racer's records in the class's history file
    /// set to their best over the races the store holds now (`RaceStore.bestSeries`), the
    /// other racers' kept as they are; each touched file written again, atomically.
    ///
    /// The store keeps outputs as Float64: they come back with their digits for outputs of
    /// up to 15 significant digits (within the plausibility limits, every output of a record
    /// whose cadence and resistance have up to 5 decimal places), so `--undo` gives the
    /// file's bytes back; a longer output comes back as its shortest Float64 digits.
    public static func recompute(
        _ affected: [Int: Set<Int>], store: RaceStore, historyBucket: Bucket, compressionLevel: Int32 = 6
    ) throws -> RecomputeReport {
        var report = RecomputeReport()
        for (classId, racerIds) in affected.sorted(by: { $0.key < $1.key }) {
            let key = historyKey(classId: classId)
            var table = HistoryTable()
            if historyBucket.exists(key: key) {
                do {
                    table = try HistoryTable.decode(Gzip.decompress(historyBucket.get(key: key)))
                } catch {
                    throw DamagedHistoryFile(classId: classId, path: historyBucket.path(for: key), reason: "\(error)")
                }
            }
            let best = try store.bestSeries(classId: classId, racerIds: racerIds)
            for racerId in racerIds.sorted() {
                table.replace(racerId: racerId, outputs: (best[racerId] ?? []).map { $0.map(DecimalNumber.init(shortest:)) })
            }
            try historyBucket.put(key: key, bytes: table.file(level: compressionLevel, previous: nil))
            report.racers[classId] = racerIds.count
            report.filesWritten.append(historyBucket.path(for: key))
        }
        return report
    }
}

/// The void audit as a file beside the store (`DATA/voids.json`), so `alleycat rebuild`
/// can apply the voids again when the store itself is lost. Written whole, atomically,
/// after every void and undo.
public enum VoidAuditFile {
    public static func path(inDataDirectory directory: String) -> String { directory + "/voids.json" }

    public static func write(_ records: [VoidRecord], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(encoder.encode(records)) + [0x0A], to: path)
    }

    /// The records in the file; none when there is no file.
    public static func read(_ path: String) throws -> [VoidRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do {
            return try JSONDecoder().decode([VoidRecord].self, from: Data(AtomicFile.read(path)))
        } catch let error as DecodingError {
            throw VoidAuditFileError(path: path, reason: "\(error)")
        }
    }
}

public struct VoidAuditFileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "the void audit \(path) cannot be read (\(reason))" }
}
