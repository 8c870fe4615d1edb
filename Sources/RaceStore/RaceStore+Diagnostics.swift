import GRDB

extension RaceStore {
    /// SQLite's journal mode of the store's file ("wal" for a file-backed store).
    func journalMode() throws -> String {
        try database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Identifiers of the migrations applied to the database, in order.
    func appliedMigrations() throws -> [String] {
        try database.read { db in try Self.migrator.appliedMigrations(db) }
    }
}
