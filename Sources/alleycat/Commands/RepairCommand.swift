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
            moves the damaged file to DATA/damaged/TIME/ (kept, never deleted) and builds it again \
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

    @OptionGroup var limits: LimitsOption

    func validate() throws {
        guard (classId != nil) != store else { throw ValidationError("give one of --class N or --store") }
        if let classId { _ = try checkClass(classId) }
    }

    func run() throws {
        let layout = DataLayout(directory: directory)
        let lock = try DataFolderLock(directory: layout.directory)
        defer { withExtendedLifetime(lock) {} }
        let plausibility = try limits.load(dataDirectory: directory)
        let damaged = directory + "/damaged/" + UTCTime(millis: SystemClock.realtimeMillis()).stamp
        let delivery = Bucket(name: "delivery", directory: layout.deliveryDirectory)
        let history = Bucket(name: "history", directory: layout.historyDirectory)
        let voids = knownVoids(layout)
        if let classId {
            let key = HistoryMerger.historyKey(classId: classId)
            let kept = try moveAside(history.path(for: key), into: damaged)
            let started = SystemClock.monotonicNanos()
            let progress = ObjectProgress(label: "rebuilding \(key)", total: delivery.list().count)
            let report = try HistoryMerger.rebuild(
                classId: classId, deliveryBucket: delivery, historyBucket: history, voids: voids.records, plausibility: plausibility
            ) { done, _ in progress.update(done) }
            print("rebuilt \(history.path(for: key)) from \(report.objects) delivered objects: \(report.records) records of class \(classId), "
                + "\(report.racers) racers, \(report.seconds) seconds, in \(seconds(since: started)) s")
            if report.skipped > 0 { print("skipped \(report.skipped) unreadable objects or records (as the merges did)") }
            if report.implausible + report.voided > 0 {
                print("left out \(report.implausible) records beyond the plausibility limits and \(report.voided) of voided results")
            }
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
                if let path = try moveAside(layout.storePath + suffix, into: damaged) { kept.append(path) }
            }
            let rebuilt = try StoreRebuild.run(
                layout: layout, plausibility: plausibility, keys: keys, voids: voids.records, progressLabel: "rebuilding the store")
            print("rebuilt \(layout.storePath): " + rebuilt.lines.joined(separator: "; ") + "; \(keysNote)")
            if !kept.isEmpty { print("the damaged files are kept at \(kept.joined(separator: ", "))") }
        }
    }

    private func seconds(since started: Int64) -> String {
        String(format: "%.2f", Double(SystemClock.monotonicNanos() - started) / 1e9)
    }
}
