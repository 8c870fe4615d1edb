import ArgumentParser
import Foundation
import Leaderboard
import Pipeline
import RaceModel
import RaceStore
import Storage

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild every history file and the store from the delivery bucket alone.",
        discussion: """
            For when the history files or the store are lost (or the plausibility limits were \
            tightened): every delivered object under DATA/delivery, which the firehose never \
            deletes, is merged again into new history files and a new store, leaving out records \
            beyond the limits (--limits). The voids of the old store's audit (or of \
            DATA/voids.json when the store is gone) are applied again, so voided races stay out \
            and `alleycat void --undo` still works. API keys are carried over when the old store \
            can be read.

            What was there is moved to DATA/replaced/TIME/ (kept, never deleted). Run it while \
            no other alleycat process uses the data folder.

            Examples:
              alleycat rebuild
              alleycat rebuild --data /srv/alleycat --limits /etc/alleycat/limits.json
            """)

    @Option(name: .customLong("data"), help: "Data directory.")
    var directory = "data"

    @OptionGroup var limits: LimitsOption

    func run() throws {
        let layout = DataLayout(directory: directory)
        let lock = try DataFolderLock(directory: layout.directory)
        defer { withExtendedLifetime(lock) {} }
        let plausibility = try limits.load(dataDirectory: directory)
        let delivery = Bucket(name: "delivery", directory: layout.deliveryDirectory)
        guard delivery.list().contains(where: { $0.hasSuffix(".gz") && !$0.hasPrefix("processing-failed/") }) else {
            throw UserError("\(layout.deliveryDirectory) holds no delivered objects: there is nothing to rebuild from")
        }
        var keys: [String: APIKey] = [:]
        var keysNote = "no store was there"
        if FileManager.default.fileExists(atPath: layout.storePath) {
            do {
                keys = try RaceStore(path: layout.storePath).apiKeysByHash()
                keysNote = "\(keys.count) API key(s) carried over"
            } catch {
                keysNote = "the old store's API keys cannot be read (\(error)): create them again with `alleycat keys create`"
            }
        }
        let voids = knownVoids(layout)
        let replaced = directory + "/replaced/" + UTCTime(millis: SystemClock.realtimeMillis()).stamp
        var kept: [String] = []
        let history = Bucket(name: "history", directory: layout.historyDirectory)
        for exerciseClass in ExerciseClass.all {
            if let path = try moveAside(history.path(for: HistoryMerger.historyKey(classId: exerciseClass.id)), into: replaced + "/history") {
                kept.append(path)
            }
        }
        for suffix in ["", "-wal", "-shm"] {
            if let path = try moveAside(layout.storePath + suffix, into: replaced) { kept.append(path) }
        }
        let rebuilt = try StoreRebuild.run(
            layout: layout, plausibility: plausibility, keys: keys, voids: voids.records, progressLabel: "rebuilding")
        let written = ExerciseClass.all.map { history.path(for: HistoryMerger.historyKey(classId: $0.id)) }
            .filter { FileManager.default.fileExists(atPath: $0) }
        print("rebuilt \(layout.storePath) and \(written.count) history file(s) in \(layout.historyDirectory)")
        for line in rebuilt.lines { print("  " + line) }
        print("  \(voids.records.count) void(s) read from \(voids.from); \(keysNote)")
        if !kept.isEmpty { print("what was there is kept in \(replaced)") }
    }
}
