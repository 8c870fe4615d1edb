import ArgumentParser
import Foundation
import Leaderboard
import Pipeline
import RaceModel
import RaceStore
import Simulator
import Storage

/// `--limits FILE`: the plausibility limits (design.md, contract 1), `DATA/limits.json` by default.
struct LimitsOption: ParsableArguments {
    @Option(name: .customLong("limits"), help: "Plausibility limits file (JSON; default DATA/limits.json when it exists, else cadence 200, resistance 100, output change 100 a second in every class). See README, \"Plausibility limits\".")
    var path: String?

    func load(dataDirectory: String) throws -> Plausibility {
        let file = path ?? Plausibility.path(inDataDirectory: dataDirectory)
        if let path, !FileManager.default.fileExists(atPath: path) {
            throw UserError("the plausibility limits file \(path) does not exist (leave out --limits for the defaults)")
        }
        do {
            return try Plausibility.load(path: file)
        } catch {
            throw UserError("\(error)")
        }
    }
}

/// The voids a rebuild applies again: the store's audit when it can be read, else `DATA/voids.json`.
func knownVoids(_ layout: DataLayout) -> (records: [VoidRecord], from: String) {
    if FileManager.default.fileExists(atPath: layout.storePath), let records = try? RaceStore(path: layout.storePath).voids() {
        return (records, layout.storePath)
    }
    let file = VoidAuditFile.path(inDataDirectory: layout.directory)
    return ((try? VoidAuditFile.read(file)) ?? [], file)
}

/// Moves `path` (when it exists) into `folder` (made when missing), keeping its name; returns where.
func moveAside(_ path: String, into folder: String) throws -> String? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let target = folder + "/" + URL(fileURLWithPath: path).lastPathComponent
    try FileManager.default.moveItem(atPath: path, toPath: target)
    return target
}

/// A long run over delivered objects: the simulator's bar on a terminal (stderr), else a line every 10 percent.
struct ObjectProgress {
    private let reporter: ProgressReporter
    private let total: Int

    init(label: String, total: Int) {
        reporter = ProgressReporter(label: label)
        self.total = total
    }

    func update(_ done: Int) {
        guard total > 0 else { return }
        reporter.update(fraction: Double(done) / Double(total), terminal: "\(done)/\(total) objects", line: "\(done) of \(total) objects")
    }
}

/// A new store (and, when the history files were moved aside, new history files) made by
/// merging every delivered object again, then the voids applied again in their order.
struct StoreRebuild {
    var merged = MergeReport()
    var voidsApplied = 0
    var voidsWithoutResults: [VoidRecord] = []
    var seconds = 0.0

    /// `voids` are the old audit; `keys` the API keys to carry over.
    static func run(
        layout: DataLayout, plausibility: Plausibility, keys: [String: APIKey], voids: [VoidRecord], progressLabel: String
    ) throws -> StoreRebuild {
        let started = SystemClock.monotonicNanos()
        let delivery = Bucket(name: "delivery", directory: layout.deliveryDirectory)
        let history = Bucket(name: "history", directory: layout.historyDirectory)
        let store = try RaceStore(path: layout.storePath)
        try store.importAPIKeys(keys)
        var result = StoreRebuild()
        // The new store has no voids yet, so every record is merged; the voids then move
        // theirs aside as `alleycat void` did, and `--undo` still works after a rebuild.
        let merger = try HistoryMerger(deliveryBucket: delivery, historyBucket: history, store: store, plausibility: plausibility)
        let objects = merger.unmergedKeys()
        let progress = ObjectProgress(label: progressLabel, total: objects.count)
        for start in stride(from: 0, to: objects.count, by: 64) {
            let end = min(start + 64, objects.count)
            result.merged.add(try merger.merge(keys: Array(objects[start..<end])))
            progress.update(end)
        }
        for record in voids {
            guard record.undoneMillis == nil else {
                try store.importVoidRecord(record)
                continue
            }
            do {
                let change = try store.void(record.scope, reason: record.reason, atMillis: record.voidedMillis, id: record.id)
                _ = try HistoryMerger.recompute(change.affected, store: store, historyBucket: history)
                result.voidsApplied += 1
            } catch VoidError.noResults {
                // Its objects are gone from the delivery bucket: kept in the audit, still holding.
                try store.importVoidRecord(record)
                result.voidsWithoutResults.append(record)
            }
        }
        try VoidAuditFile.write(store.voids(), to: VoidAuditFile.path(inDataDirectory: layout.directory))
        result.seconds = Double(SystemClock.monotonicNanos() - started) / 1e9
        return result
    }

    /// What it did, for the summary.
    var lines: [String] {
        var lines = ["merged \(merged.objects) delivered objects (\(merged.records) records) in \(String(format: "%.2f", seconds)) s"]
        if merged.skippedRecords + merged.unreadableObjects > 0 {
            lines.append("skipped \(merged.unreadableObjects) unreadable objects and \(merged.skippedRecords) records (as the merges did)")
        }
        if merged.implausibleRecords > 0 {
            lines.append("left out \(merged.implausibleRecords) records beyond the plausibility limits")
        }
        if voidsApplied > 0 { lines.append("applied \(voidsApplied) void(s) again from the audit") }
        for record in voidsWithoutResults {
            lines.append("void #\(record.id) (\(record.scope)) found no results in the delivered objects; it is kept in the audit")
        }
        return lines
    }
}
