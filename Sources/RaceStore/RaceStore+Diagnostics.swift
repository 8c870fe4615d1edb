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

extension RaceStore {
    /// SQLite's `PRAGMA quick_check`: empty when the file is sound, else its findings (at most 10).
    public func quickCheck() throws -> [String] {
        let lines = try database.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(10)") }
        return lines == ["ok"] ? [] : lines
    }
}
