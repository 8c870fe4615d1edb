/// `backup.json` at the top of a backup (`DataFolderBackup`): what it holds, when and from
/// where it was taken, and SQLite's integrity_check of the store's copy.
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let fileName = "backup.json"

    /// Files and their bytes of one part of the backup.
    public struct Part: Codable, Sendable, Equatable {
        public var files = 0
        public var bytes = 0
        /// Of them, hard links to the data folder's own files (no new space taken).
        public var linked = 0

        mutating func add(bytes: Int, linked: Bool = false) {
            files += 1
            self.bytes += bytes
            if linked { self.linked += 1 }
        }
    }

    public struct Store: Codable, Sendable, Equatable {
        public var bytes: Int
        /// Delivered objects its ledger lists as merged.
        public var mergedObjects: Int
        /// "ok", or the findings of `PRAGMA integrity_check`.
        public var integrityCheck: String
        public var journalMode: String
    }

    /// The format of this file.
    public var format = 1
    /// When the backup started, ms since 1970, and as UTC text.
    public var startedMillis: Int64
    public var startedUTC: String
    /// The data folder it copies (absolute) and the machine it was taken on.
    public var source: String
    public var host: String
    /// Every file of the backup but this one, and their bytes (hard links counted in full).
    public var files = 0
    public var bytes = 0
    public var seconds = 0.0
    public var store: Store
    public var history = Part()
    public var delivery = Part()
    /// `secret.key`, `checkpoints/` and the streams' settings (`stream/`, `streams/NAME/`).
    public var keysAndSettings = Part()
    public var notIncluded = [
        "the streams' segment logs (stream/segment-*.log, streams/NAME/segment-*.log): records not yet delivered, and the embedded stream's consumer positions, which live in its log; a restored service starts an empty stream, read from its start",
        "alleycat.lock, stream-scratch/, damaged/",
    ]
}
