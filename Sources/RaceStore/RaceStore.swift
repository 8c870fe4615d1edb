import Foundation
import GRDB

/// The embedded store of race results, races, per-class all-time records and
/// the ledger of merged delivered objects (design.md, contract 5).
///
/// Writes go through `commit(_:)`, one transaction per merge batch. A file-backed
/// store is a WAL-mode `DatabasePool`, so queries run concurrently with a commit
/// and see the last committed state.
public final class RaceStore: Sendable {
    public static let defaultPath = "data/alleycat.sqlite"

    let database: any DatabaseWriter

    /// Opens (creating it and its parent directory if needed) the store at `path`
    /// and brings its schema up to date.
    public init(path: String = RaceStore.defaultPath) throws {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.label = "RaceStore"
        // `alleycat keys` writes to the store of a running `alleycat serve`, whose merger
        // commits too: wait for the other process's transaction instead of failing.
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Result rows carry a series of up to ~2.4 kB: 8 kB pages hold three where
            // 4 kB pages hold one. Only takes effect when the file is created.
            try db.execute(sql: "PRAGMA page_size = 8192")
            // Keeps the rows of the races being merged in memory (the default is 2 MB).
            try db.execute(sql: "PRAGMA cache_size = -16384")
            // Each commit rewrites every merged racer's row: checkpointing every 32 MB
            // of WAL rather than every 4 MB copies a hot page once per several commits.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 4000")
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        // DatabasePool switches the file to WAL with synchronous=NORMAL: a commit
        // survives a process crash; only a power loss may drop the last commits.
        let pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        database = pool
    }

    private init(database: any DatabaseWriter) throws {
        try Self.migrator.migrate(database)
        self.database = database
    }

    /// A private in-memory store, for tests.
    public static func inMemory() throws -> RaceStore {
        try RaceStore(database: DatabaseQueue())
    }
}
