import HistoryFile
import Leaderboard
import Synchronization

/// The merger's history files folded into an S3 location that other workers fold into
/// too (`S3HistoryFiles`), so the files there hold every worker's records. A class that
/// cannot be written stays pending, and is tried again at the next merge and at `flush()`.
public final class S3HistoryMirror: HistoryMirror {
    public let files: S3HistoryFiles
    /// Class → the newest table not yet written, and the mirror call it came with.
    private let pending = Mutex<(calls: Int, tables: [Int: (call: Int, table: HistoryTable)])>((0, [:]))
    private let problem = Mutex<String?>(nil)
    private let log: @Sendable (String) -> Void

    public init(files: S3HistoryFiles, log: @escaping @Sendable (String) -> Void) {
        self.files = files
        self.log = log
    }

    /// Why the last write failed (nil once one works).
    public var lastProblem: String? { problem.withLock { $0 } }

    /// Classes not yet written.
    public var pendingClasses: [Int] { pending.withLock { $0.tables.keys.sorted() } }

    public func mirror(_ tables: [(classId: Int, table: HistoryTable)]) {
        pending.withLock { pending in
            // A newer table of the merger holds everything an older one did.
            pending.calls += 1
            for (classId, table) in tables { pending.tables[classId] = (pending.calls, table) }
        }
        flush()
    }

    /// Writes every pending class; false when some are still pending.
    @discardableResult
    public func flush() -> Bool {
        for (classId, entry) in pending.withLock({ $0.tables.sorted { $0.key < $1.key } }) {
            do throws(S3HistoryError) {
                try files.merge(classId: classId) { $0.fold(entry.table) }
                pending.withLock { pending in
                    // Only if no newer table came meanwhile.
                    if pending.tables[classId]?.call == entry.call { pending.tables[classId] = nil }
                }
                if problem.withLock({ $0 }) != nil {
                    problem.withLock { $0 = nil }
                    log("history: writing to s3://\(files.bucket)/\(files.prefix) again")
                }
            } catch {
                let first = problem.withLock { problem in
                    defer { problem = error.description }
                    return problem == nil
                }
                if first { log("history: cannot write class \(classId) to s3://\(files.bucket)/\(files.prefix): \(error); kept, tried again at the next merge") }
                return false
            }
        }
        return true
    }
}
