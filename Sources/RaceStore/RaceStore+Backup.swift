import Foundation
import GRDB

/// What `RaceStore.backup(to:)` wrote.
public struct StoreBackup: Sendable, Equatable {
    public var bytes: Int
    /// Delivered objects the copy's ledger lists as merged.
    public var mergedObjects: Int
    /// SQLite's `PRAGMA integrity_check` of the copy: `["ok"]` when it is sound.
    public var integrityCheck: [String]
    /// The copy's journal mode: "delete".
    public var journalMode: String
}

extension RaceStore {
    /// Copies the store into a new file at `path` with SQLite's online backup API, in one
    /// step inside one read transaction: the copy is the store as of its last commit, taken
    /// while merges go on (a WAL reader holds up no writer, in this process or another).
    /// The copy is a rollback-journal file complete on its own (no `-wal` or `-shm` beside
    /// it; the service turns it back to WAL when it opens it), checked with integrity_check.
    public func backup(to path: String) throws -> StoreBackup {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreBackupError(description: "\(path) exists: a backup of the store goes to a new file")
        }
        let copy = try DatabaseQueue(path: path)
        try database.backup(to: copy)
        let (mode, merged, check) = try copy.writeWithoutTransaction { db in
            // The pages came from a WAL file, whose header says WAL: say rollback journal instead.
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") ?? "",
                try Int.fetchOne(db, sql: "SELECT count(*) FROM merged_objects") ?? 0,
                try String.fetchAll(db, sql: "PRAGMA integrity_check")
            )
        }
        try copy.close()
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        return StoreBackup(bytes: bytes, mergedObjects: merged, integrityCheck: check, journalMode: mode)
    }
}

/// Why the store was not copied.
public struct StoreBackupError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}
