import Dispatch
import Foundation
import HistoryFile
import RaceModel
import RaceStore
import Storage
import Synchronization

/// Figures of one merge.
public struct MergeReport: Sendable, Equatable {
    public var objects = 0
    public var records = 0
    /// Records in delivered objects that could not be read (counted, left out).
    public var skippedRecords = 0
    /// Objects that could not be read at all; they stay out of the ledger.
    public var unreadableObjects = 0
    /// Records beyond their class's plausibility limits (counted, left out).
    public var implausibleRecords = 0
    /// Records of voided results (`alleycat void`), left out.
    public var voidedRecords = 0
    public var classesWritten: [Int] = []
    public var skipReasons: [String] = []

    public init() {}

    public mutating func add(_ other: MergeReport) {
        objects += other.objects
        records += other.records
        skippedRecords += other.skippedRecords
        unreadableObjects += other.unreadableObjects
        implausibleRecords += other.implausibleRecords
        voidedRecords += other.voidedRecords
        classesWritten = Array(Set(classesWritten + other.classesWritten)).sorted()
        skipReasons += other.skipReasons.prefix(max(0, 20 - skipReasons.count))
    }
}

/// A second home for the history files (an S3 bucket other workers write to as well),
/// kept up after every merge.
public protocol HistoryMirror: Sendable {
    /// Called after each merge, one merge at a time, with the tables of the classes it
    /// changed. A mirror that cannot write keeps them and tries again at the next call.
    func mirror(_ tables: [(classId: Int, table: HistoryTable)])
}

/// The all-time merger (contracts 4 and 5). Folds every record of each delivered
/// object into the per-class, per-second, per-racer maximum, writes
/// `class-N.gz` for each class touched (atomically), and commits race results
/// and the ledger of merged objects to the store in one transaction. Merging is
/// a maximum, so an object merged twice, or objects in any order, give the same files.
public final class HistoryMerger: Sendable {
    public let deliveryBucket: Bucket
    public let historyBucket: Bucket
    public let store: any ResultStore
    public let rules: RecordRules
    public let plausibility: Plausibility
    public let compressionLevel: Int32
    public let mirror: (any HistoryMirror)?
    /// Held for a whole merge: merges run one at a time.
    private let state: Mutex<State>
    /// What readers see: the tables as of the last merge, and the totals. Kept apart
    /// so a reader (the ranking engine) never waits for a merge, which can take seconds.
    private let published: Mutex<Published>

    struct State {
        var tables: [Int: HistoryTable] = [:]
        var merged: Set<String> = []
        var voids = VoidedResults()
    }

    struct Published {
        var tables: [Int: HistoryTable] = [:]
        var total = MergeReport()
    }

    public static func historyKey(classId: Int) -> String { "class-\(classId).gz" }

    /// Loads the history files already in `historyBucket`, the store's ledger and its voids.
    public init(
        deliveryBucket: Bucket, historyBucket: Bucket, store: any ResultStore, rules: RecordRules = .standard,
        plausibility: Plausibility = .standard, compressionLevel: Int32 = 6, mirror: (any HistoryMirror)? = nil
    ) throws {
        self.mirror = mirror
        self.deliveryBucket = deliveryBucket
        self.historyBucket = historyBucket
        self.store = store
        self.rules = rules
        self.plausibility = plausibility
        self.compressionLevel = compressionLevel
        var state = State()
        for exerciseClass in ExerciseClass.all {
            let key = Self.historyKey(classId: exerciseClass.id)
            guard historyBucket.exists(key: key) else { continue }
            do {
                state.tables[exerciseClass.id] = try HistoryTable.decode(Gzip.decompress(historyBucket.get(key: key)))
            } catch {
                throw DamagedHistoryFile(classId: exerciseClass.id, path: historyBucket.path(for: key), reason: "\(error)")
            }
        }
        state.merged = try store.mergedObjectKeys()
        state.voids = try VoidedResults(store.voids())
        self.published = Mutex(Published(tables: state.tables))
        self.state = Mutex(state)
        // What an earlier run could not write to the mirror (or wrote before a restart) goes
        // again: folding is a maximum, so what is there already changes nothing.
        if let mirror, !state.tables.isEmpty {
            mirror.mirror(state.tables.sorted { $0.key < $1.key }.map { (classId: $0.key, table: $0.value) })
        }
    }

    /// The class's table as of the last finished merge (the same as its history file).
    public func table(classId: Int) -> HistoryTable {
        published.withLock { $0.tables[classId] ?? HistoryTable() }
    }

    /// Everything merged since this merger started.
    public var totals: MergeReport {
        published.withLock { $0.total }
    }

    /// Delivered objects that are not in the ledger yet, oldest key first (a restart's backlog).
    public func unmergedKeys() -> [String] {
        let merged = state.withLock { $0.merged }
        return deliveryBucket.list().filter { Self.isDelivered($0) && !merged.contains($0) }
    }

    /// Merges the delivered objects that are not in the ledger (after a crash or restart).
    @discardableResult
    public func replayUnmerged() throws -> MergeReport {
        try merge(keys: unmergedKeys())
    }

    static func isDelivered(_ key: String) -> Bool {
        key.hasSuffix(".gz") && !key.hasPrefix("processing-failed/")
    }

    /// Merges these objects as one batch: one history write per class touched, one transaction.
    /// Keys already in the ledger are skipped; `force` merges them again (still a no-op on values).
    /// Objects are read and parsed, and history files encoded, on all cores.
    @discardableResult
    public func merge(keys: [String], force: Bool = false) throws -> MergeReport {
        try state.withLock { state throws -> MergeReport in
            var report = MergeReport()
            var batch = MergeBatch()
            var touched = Set<Int>()
            let wanted = keys.filter { Self.isDelivered($0) && (force || !state.merged.contains($0)) }
            var parsed = parallelMap(wanted.count) { [self] index in Self.read(wanted[index], from: deliveryBucket, rules: rules, plausibility: plausibility) }
            for index in parsed.indices {
                // Each object's records are let go as soon as they are folded in.
                let object = parsed[index]
                parsed[index] = ParsedObject(key: object.key)
                report.skipReasons += object.problems.prefix(max(0, 20 - report.skipReasons.count))
                guard object.readable else {
                    report.unreadableObjects += 1
                    continue
                }
                report.skippedRecords += object.problems.count - object.implausible
                report.implausibleRecords += object.implausible
                for message in object.messages {
                    let classId = Int(message.classId)
                    if state.voids.covers(message) {
                        report.voidedRecords += 1
                        continue
                    }
                    state.tables[classId, default: HistoryTable()].fold(racerId: message.racerId, second: Int(message.second), output: message.output)
                    touched.insert(classId)
                    batch.add(
                        raceId: message.raceId, classId: classId, racerId: message.racerId, name: message.name,
                        second: Int(message.second), output: message.output.doubleValue, isFinal: message.isFinal,
                        deviceTimestamp: message.deviceTimestamp)
                }
                report.records += object.messages.count
                batch.objectKeys.append(object.key)
                report.objects += 1
            }
            guard report.objects > 0 else {
                published.withLock { $0.total.add(report) }
                return report
            }
            let classes = touched.sorted()
            Self.compressStaleSeconds(of: &state.tables, classes: classes, level: compressionLevel)
            // The unchanged seconds are copied from the file written last time, read back; one
            // class at a time, so only one class's old and new file are in memory. A file that
            // fails to write leaves the table pointing at bytes that are not on disk: the next
            // merge sees the difference and compresses that class again; so does a file that
            // cannot be read back.
            for classId in classes {
                let key = Self.historyKey(classId: classId)
                let previous = state.tables[classId]!.copiesFromPreviousFile ? try? historyBucket.get(key: key) : nil
                try historyBucket.put(key: key, bytes: state.tables[classId]!.file(level: compressionLevel, previous: previous))
            }
            let tables = classes.map { state.tables[$0]! }
            // The ledger row goes in the same transaction as the results: a crash before
            // this line leaves the objects unmerged, and the replay merges them again.
            try store.commit(batch)
            state.merged.formUnion(batch.objectKeys)
            report.classesWritten = classes
            published.withLock { published in
                for (classId, table) in zip(classes, tables) { published.tables[classId] = table }
                published.total.add(report)
            }
            mirror?.mirror(Array(zip(classes, tables)).map { (classId: $0.0, table: $0.1) })
            return report
        }
    }

    /// One delivered object, read and parsed.
    struct ParsedObject: Sendable {
        var key: String
        var readable = true
        var messages: [Merged] = []
        /// Unreadable and implausible records, with where and why.
        var problems: [String] = []
        /// Of `problems`, records beyond their class's plausibility limits.
        var implausible = 0
    }

    /// What a merge keeps of a delivered record: a third of a `RaceMessage`, so a merge of
    /// many objects (a restart's backlog, a busy second at 100,000 riders) holds less.
    struct Merged: Sendable {
        var raceId: Int64
        var deviceTimestamp: Int64
        var racerId: Int
        var output: DecimalNumber
        var name: String
        var second: Int32
        var classId: Int8
        var isFinal: Bool

        /// `message` has an output and a class and second its rules accepted.
        init(_ message: RaceMessage) {
            raceId = message.raceId
            deviceTimestamp = message.deviceTimestamp
            racerId = message.racerId
            output = message.output!
            name = message.name
            second = Int32(message.second)
            classId = Int8(message.classId)
            isFinal = message.event == .final
        }
    }

    static func read(_ key: String, from deliveryBucket: Bucket, rules: RecordRules, plausibility: Plausibility) -> ParsedObject {
        var object = ParsedObject(key: key)
        let ndjson: [UInt8]
        do {
            ndjson = try Gzip.decompress(deliveryBucket.get(key: key))
        } catch {
            object.readable = false
            object.problems.append("\(key): \(error)")
            return object
        }
        ndjson.withUnsafeBufferPointer { bytes in
            var start = 0
            var lineNumber = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                lineNumber += 1
                defer { start = end + 1 }
                if end == start { continue }
                do throws(RecordError) {
                    let message = try RecordParser.parse(UnsafeBufferPointer(rebasing: bytes[start..<end]), rules: rules)
                    if message.output == nil {
                        object.problems.append("\(key) line \(lineNumber): no output field (not a transformed record)")
                    } else if let violation = plausibility.check(classId: message.classId, cadence: message.cadence, resistance: message.resistance) {
                        object.problems.append("\(key) line \(lineNumber): \(violation)")
                        object.implausible += 1
                    } else {
                        object.messages.append(Merged(message))
                    }
                } catch {
                    object.problems.append("\(key) line \(lineNumber): \(error)")
                }
            }
        }
        return object
    }
}

extension HistoryMerger {
    /// Compresses again the seconds of `classes` that changed, on all cores, in runs of up
    /// to 16 seconds of one class (the racer order is sorted once a run).
    static func compressStaleSeconds(of tables: inout [Int: HistoryTable], classes: [Int], level: Int32) {
        let work = classes.flatMap { classId in
            let stale = tables[classId]!.staleSeconds
            return stride(from: 0, to: stale.count, by: 16).map { (classId, Array(stale[$0..<min($0 + 16, stale.count)])) }
        }
        let snapshot = tables
        let pieces = parallelMap(work.count) { index in snapshot[work[index].0]!.compress(seconds: work[index].1, level: level) }
        for (made, (classId, seconds)) in zip(pieces, work) { tables[classId]!.install(made, seconds: seconds) }
    }
}

/// A history file that cannot be read back at start (truncated, not gzip, not the contract's JSON).
public struct DamagedHistoryFile: Error, Sendable, Equatable, CustomStringConvertible {
    public let classId: Int
    public let path: String
    public let reason: String

    public var description: String {
        "the history file \(path) is damaged (\(reason))"
    }
}

/// What `HistoryMerger.rebuild` did.
public struct RebuildReport: Sendable, Equatable {
    public var objects = 0
    public var records = 0
    public var racers = 0
    public var seconds = 0
    /// Objects or records that could not be read (as a merge counts them).
    public var skipped = 0
    /// Records left out as a merge leaves them out: beyond the plausibility limits, or voided.
    public var implausible = 0
    public var voided = 0
}

extension HistoryMerger {
    /// Writes `class-N.gz` again from every delivered object in `deliveryBucket`, read
    /// in runs of 64 on all cores, as the merges wrote it (the per-second maximum of each
    /// racer, leaving out implausible records and the records `voids` cover). The store and the
    /// ledger are not changed: they do not depend on the file.
    public static func rebuild(
        classId: Int, deliveryBucket: Bucket, historyBucket: Bucket, voids: [VoidRecord], rules: RecordRules = .standard,
        plausibility: Plausibility = .standard, compressionLevel: Int32 = 6, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> RebuildReport {
        let voids = VoidedResults(voids)
        var tables = [classId: HistoryTable()]
        var report = RebuildReport()
        let keys = deliveryBucket.list().filter(isDelivered)
        for start in stride(from: 0, to: keys.count, by: 64) {
            let run = Array(keys[start..<min(start + 64, keys.count)])
            let parsed = parallelMap(run.count) { read(run[$0], from: deliveryBucket, rules: rules, plausibility: plausibility) }
            for object in parsed {
                report.skipped += object.readable ? object.problems.count - object.implausible : 1
                report.implausible += object.implausible
                guard object.readable else { continue }
                report.objects += 1
                for message in object.messages where Int(message.classId) == classId {
                    if voids.covers(message) {
                        report.voided += 1
                        continue
                    }
                    tables[classId]!.fold(racerId: message.racerId, second: Int(message.second), output: message.output)
                    report.records += 1
                }
            }
            progress(start + run.count, keys.count)
        }
        compressStaleSeconds(of: &tables, classes: [classId], level: compressionLevel)
        try historyBucket.put(key: historyKey(classId: classId), bytes: tables[classId]!.file(level: compressionLevel, previous: nil))
        report.racers = tables[classId]!.racerIds.count
        report.seconds = tables[classId]!.seconds
        return report
    }
}

/// `body(0..<count)` on all cores, results in order.
/// `body` for 0..<count on one thread per core, each taking the next index. The
/// threads are new, so they inherit the caller's scheduling priority (a background
/// merge stays in the background), which shared dispatch workers would not.
func parallelMap<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        // Each index is written by exactly one iteration.
        let slots = UncheckedPointer(base: buffer.baseAddress)
        let next = Mutex(0)
        let work: @Sendable () -> Void = {
            while true {
                let index = next.withLock { index in
                    defer { index += 1 }
                    return index
                }
                guard index < count else { return }
                (slots.base! + index).initialize(to: body(index))
            }
        }
        let helpers = min(count, ProcessInfo.processInfo.activeProcessorCount) - 1
        let done = DispatchGroup()
        for _ in 0..<max(0, helpers) {
            done.enter()
            Thread {
                work()
                done.leave()
            }.start()
        }
        work()
        done.wait()
        initialized = count
    }
}

private struct UncheckedPointer<T>: @unchecked Sendable, Sendable {
    let base: UnsafeMutablePointer<T>?
}
