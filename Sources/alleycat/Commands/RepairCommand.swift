import ArgumentParser
import Foundation
import Leaderboard
import Pipeline
import RaceModel
import RaceStore
import Storage

struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Rebuild a damaged history file or store from the delivered objects.",
        discussion: """
            `alleycat serve` and `alleycat race` refuse to start on a history file that does not \
            read back, or a store that fails SQLite's quick_check, and name this command. It \
            moves the damaged file to DATA/damaged/ (kept, never deleted) and builds it again \
            from every delivered object under DATA/delivery, which the firehose never deletes:

            With --class N, class-N.gz: the per-second maximum of every racer of class N, \
            byte for byte as the merges wrote it; the store is not touched. With --store, \
            alleycat.sqlite: every delivered object merged again into a new store (results, \
            races, records, the ledger); API keys are copied from the damaged store when they \
            can still be read, otherwise create them again (`alleycat keys create`).

            Run it while no other alleycat process uses the data folder.

            Examples:
              alleycat repair --class 3
              alleycat repair --store --data /srv/alleycat
            """)

    @Option(name: .customLong("class"), help: "Rebuild this class's history file, 1 to 6.")
    var classId: Int?

    @Flag(help: "Rebuild the store.")
    var store = false

    @Option(name: .customLong("data"), help: "Data directory.")
    var directory = "data"

    func validate() throws {
        guard (classId != nil) != store else { throw ValidationError("give one of --class N or --store") }
        if let classId { _ = try checkClass(classId) }
    }

    func run() throws {
        let layout = DataLayout(directory: directory)
        let lock = try DataFolderLock(directory: layout.directory)
        defer { withExtendedLifetime(lock) {} }
        let delivery = Bucket(name: "delivery", directory: layout.deliveryDirectory)
        let history = Bucket(name: "history", directory: layout.historyDirectory)
        if let classId {
            let key = HistoryMerger.historyKey(classId: classId)
            let kept = try moveAside(history.path(for: key))
            let started = SystemClock.monotonicNanos()
            let report = try HistoryMerger.rebuild(classId: classId, deliveryBucket: delivery, historyBucket: history) { done, total in
                if total >= 256 && done % 256 == 0 { print("read \(done) of \(total) delivered objects") }
            }
            print("rebuilt \(history.path(for: key)) from \(report.objects) delivered objects: \(report.records) records of class \(classId), "
                + "\(report.racers) racers, \(report.seconds) seconds, in \(seconds(since: started)) s")
            if report.skipped > 0 { print("skipped \(report.skipped) unreadable objects or records (as the merges did)") }
            if let kept { print("the damaged file is kept at \(kept)") }
        } else {
            var keys: [String: APIKey] = [:]
            var keysNote = "no store was there"
            if FileManager.default.fileExists(atPath: layout.storePath) {
                do {
                    keys = try RaceStore(path: layout.storePath).apiKeysByHash()
                    keysNote = "\(keys.count) API key(s) copied from the damaged store"
                } catch {
                    keysNote = "the damaged store's API keys cannot be read (\(error)): create them again with `alleycat keys create`"
                }
            }
            var kept: [String] = []
            for suffix in ["", "-wal", "-shm"] {
                if let path = try moveAside(layout.storePath + suffix) { kept.append(path) }
            }
            let started = SystemClock.monotonicNanos()
            let store = try RaceStore(path: layout.storePath)
            try store.importAPIKeys(keys)
            let merger = try HistoryMerger(deliveryBucket: delivery, historyBucket: history, store: store)
            let objects = merger.unmergedKeys()
            var total = MergeReport()
            for start in stride(from: 0, to: objects.count, by: 64) {
                total.add(try merger.merge(keys: Array(objects[start..<min(start + 64, objects.count)])))
                if objects.count >= 256 && (start / 64) % 4 == 3 { print("merged \(start + 64) of \(objects.count) delivered objects") }
            }
            print("rebuilt \(layout.storePath) from \(total.objects) delivered objects (\(total.records) records) in \(seconds(since: started)) s; \(keysNote)")
            if total.skippedRecords + total.unreadableObjects > 0 {
                print("skipped \(total.unreadableObjects) unreadable objects and \(total.skippedRecords) records (as the merges did)")
            }
            if !kept.isEmpty { print("the damaged files are kept at \(kept.joined(separator: ", "))") }
        }
    }

    /// Moves `path` (when it exists) to DATA/damaged/NAME.UTC-TIME; returns where.
    private func moveAside(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let folder = directory + "/damaged"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stamp = UTCTime(millis: SystemClock.realtimeMillis()).stamp
        let target = folder + "/" + URL(fileURLWithPath: path).lastPathComponent + "." + stamp
        try FileManager.default.moveItem(atPath: path, toPath: target)
        return target
    }

    private func seconds(since started: Int64) -> String {
        String(format: "%.2f", Double(SystemClock.monotonicNanos() - started) / 1e9)
    }
}
