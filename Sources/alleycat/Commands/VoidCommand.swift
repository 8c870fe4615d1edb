import ArgumentParser
import Foundation
import Leaderboard
import Pipeline
import RaceModel
import RaceStore
import Storage

struct VoidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "void",
        abstract: "Take a race, or one racer's result in it, out of the results, leaderboards and history files.",
        discussion: """
            The results go out of `alleycat results`, `races` and the leaderboards, and each \
            history file they touched is computed again without them (every affected racer's \
            best of the races left, from the store's per-second series). Nothing is deleted: \
            the results are kept aside, the audit (the `voids` table, mirrored to \
            DATA/voids.json) keeps what was voided, when and why, and --undo puts them back. \
            Records of a voided race that arrive later are left out too.

            Run it while no other alleycat process uses the data folder (stop `alleycat serve`).

            Examples:
              alleycat void --race 5666666 --reason "timing fault"
              alleycat void --race 5666666 --class 3 --racer 1042 --reason "cadence sensor stuck"
              alleycat void --list
              alleycat void --undo 2
            """)

    @Option(help: "The race to void (all its classes unless --class).")
    var race: Int64?

    @Option(name: .customLong("class"), help: "Only this class of the race, 1 to 6.")
    var classId: Int?

    @Option(help: "Only this racer's result.")
    var racer: Int?

    @Option(help: "Why (kept in the audit).")
    var reason: String?

    @Option(help: "Put back what void ID took out.")
    var undo: Int64?

    @Flag(help: "List the voids, oldest first.")
    var list = false

    @OptionGroup var data: DataOptions

    func validate() throws {
        let modes = [race != nil, undo != nil, list].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give one of --race R (with --reason), --undo ID or --list") }
        if race != nil, reason == nil { throw ValidationError("a void needs --reason TEXT: it is kept in the audit") }
        if race == nil, classId != nil || racer != nil || reason != nil {
            throw ValidationError("--class, --racer and --reason go with --race")
        }
        if let classId { _ = try checkClass(classId) }
    }

    func run() throws {
        let layout = DataLayout(directory: data.directory)
        guard FileManager.default.fileExists(atPath: layout.storePath) else {
            throw UserError("there is no store at \(layout.storePath): run a race first, or pass --data")
        }
        if list { return try printList(RaceStore(path: layout.storePath).voids()) }
        let lock = try DataFolderLock(directory: layout.directory)
        defer { withExtendedLifetime(lock) {} }
        let store = try RaceStore(path: layout.storePath)
        let history = Bucket(name: "history", directory: layout.historyDirectory)
        let change: VoidChange
        do {
            if let undo {
                change = try store.undoVoid(id: undo, atMillis: SystemClock.realtimeMillis())
            } else {
                change = try store.void(
                    VoidScope(raceId: race!, classId: classId, racerId: racer), reason: reason!, atMillis: SystemClock.realtimeMillis())
            }
        } catch let error as VoidError {
            throw UserError("\(error)")
        }
        let report = try HistoryMerger.recompute(change.affected, store: store, historyBucket: history)
        try VoidAuditFile.write(store.voids(), to: VoidAuditFile.path(inDataDirectory: layout.directory))
        let record = change.record
        let racers = report.racers.sorted { $0.key < $1.key }.map { "\($0.value) racer(s) in class \($0.key)" }.joined(separator: ", ")
        if undo != nil {
            print("undid void #\(record.id) (\(record.scope), \"\(record.reason)\"): \(record.results) result(s) back")
        } else {
            print("void #\(record.id): \(record.scope) taken out (\(record.results) result(s)), \"\(record.reason)\"")
        }
        print("records computed again for \(racers); written: \(report.filesWritten.joined(separator: ", "))")
    }

    private func printList(_ records: [VoidRecord]) throws {
        if data.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(records), as: UTF8.self))
            return
        }
        guard !records.isEmpty else { return print("no voids") }
        var table = Table("void", "what", "results", "voided", "undone", "reason", rightAligned: [0, 2])
        for record in records {
            table.add(String(record.id), record.scope.description, String(record.results), UTCTime(millis: record.voidedMillis).iso,
                      record.undoneMillis.map { UTCTime(millis: $0).iso } ?? "-", record.reason)
        }
        print(table.text)
    }
}
