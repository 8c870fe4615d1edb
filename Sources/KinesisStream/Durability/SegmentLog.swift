#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import StreamReading

/// The stream's log, which is also where its records live: accepted records (and
/// consumers' checkpoints) appended to numbered segment files, fsynced before a record
/// is acknowledged when `sync` is on. Callers that arrive while a sync is running share
/// the next one (group commit), so many PutRecords calls cost one fsync. All shards
/// share the log: a call spanning shards is one write and one sync, not one per shard.
///
/// Every appended byte has a logical offset (counted from the log's open); a segment
/// maps a contiguous range of them to its file, so the stream's index names records by
/// logical offset and reads them back from the file that holds them.
final class SegmentLog: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `condition`; `segments` and `descriptor`
    // change only in the one caller syncing at a time, under the lock.
    let directory: String
    let segmentBytes: Int
    private let retention: Atomic<Int64>
    /// How long a segment is kept after its newest record (IncreaseStreamRetentionPeriod changes it).
    var retentionMillis: Int64 {
        get { retention.load(ordering: .relaxed) }
        set { retention.store(newValue, ordering: .relaxed) }
    }
    /// fsync each write (a durable stream) or leave it to the page cache (a scratch one).
    let sync: Bool
    /// A random id made with the log: positions saved elsewhere name it, so they are
    /// not applied to another stream.
    let identity: String

    /// A segment file open for reading; closed when the last reader lets go, so a
    /// segment deleted by retention under a reader is still read whole.
    final class ReadHandle: Sendable {
        let descriptor: Int32
        let path: String

        init?(path: String) {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            self.path = path
            if descriptor < 0 { return nil }
        }

        deinit {
            close(descriptor)
        }
    }

    /// The file that holds `identity`.
    static let identityFile = "identity"

    /// Whether a file of the log's folder is one of its segments (`segment-000001.log`, ...).
    static func isSegmentFile(_ name: String) -> Bool {
        name.hasPrefix("segment-") && name.hasSuffix(".log")
    }

    private struct Segment {
        var number: Int
        var path: String
        /// The logical offset of the first byte this segment holds after `fileBase`.
        var logicalStart: UInt64
        /// Bytes at the head of the file that are not in the logical log (the positions
        /// a new segment starts with).
        var fileBase: Int
        var size: Int
        /// Arrival of the newest record in it (`.min` when none).
        var newestArrival: Int64
        var reader: ReadHandle?

        var logicalEnd: UInt64 { logicalStart + UInt64(size - fileBase) }
    }

    private let condition = NSCondition()
    private var pending: [UInt8] = []
    private var pendingNewestArrival: Int64 = .min
    private var appended: UInt64 = 0
    /// Everything below this is written (and synced), or failed.
    private var resolved: UInt64 = 0
    /// Logical ranges whose write failed, with why: their callers are answered with it.
    private var failures: [(range: ClosedRange<UInt64>, message: String)] = []
    /// A failed write leaves the segment's end unknown: the next write starts a new one.
    private var mustRoll = false
    private var syncing = false
    private var segments: [Segment]
    private var descriptor: Int32

    /// What opening found, for the log line a restart prints.
    struct Recovery: Equatable {
        var segments = 0
        var records = 0
        var checkpoints = 0
        /// Bytes of a torn or damaged last frame cut off the newest segment.
        var droppedBytes = 0
        var droppedFrom: String?
    }

    /// Opens (creating if needed) the log in `directory` and hands every frame, oldest
    /// first, to `replay` with its logical offset and length. A torn or damaged tail of
    /// the newest segment is cut off.
    init(
        directory: String, segmentBytes: Int, retentionMillis: Int64, sync: Bool = true,
        replay: (LogFrame, _ offset: UInt64, _ length: Int) throws -> Void
    ) throws {
        self.directory = directory
        self.segmentBytes = segmentBytes
        self.retention = Atomic(retentionMillis)
        self.sync = sync
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let identityPath = directory + "/" + Self.identityFile
        if let existing = try? String(contentsOfFile: identityPath, encoding: .utf8), !existing.isEmpty {
            identity = existing.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            identity = String(UInt64.random(in: .min ... .max), radix: 16)
            try Self.writeDurably(Array((identity + "\n").utf8), to: identityPath, directory: directory)
        }

        var found: [Segment] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        for name in names where Self.isSegmentFile(name) {
            guard let number = Int(name.dropFirst(8).dropLast(4)) else { continue }
            found.append(Segment(number: number, path: directory + "/" + name, logicalStart: 0, fileBase: 0, size: 0, newestArrival: .min))
        }
        found.sort { $0.number < $1.number }
        var recovery = Recovery()
        var logical: UInt64 = 0
        for index in found.indices {
            found[index].logicalStart = logical
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: found[index].path)))
            var offset = 0
            var problem: String?
            try bytes.withUnsafeBytes { raw in
                while offset < raw.count {
                    switch LogFrame.read(raw, at: offset) {
                    case let .frame(frame, next):
                        try replay(frame, logical + UInt64(offset), next - offset)
                        switch frame {
                        case let .record(_, _, arrival, _, _):
                            recovery.records += 1
                            found[index].newestArrival = max(found[index].newestArrival, arrival)
                        case .checkpoint:
                            recovery.checkpoints += 1
                        }
                        offset = next
                    case .torn:
                        problem = "a record cut short"
                        return
                    case let .damaged(reason):
                        problem = reason
                        return
                    }
                }
            }
            if let problem {
                guard index == found.count - 1 else {
                    throw StreamLogError("segment \(found[index].path) is damaged at byte \(offset) (\(problem)) and is not the newest: move it and the segments before it away to start from what follows")
                }
                // The newest segment ends in a write that did not finish: it was never acknowledged.
                recovery.droppedBytes = bytes.count - offset
                recovery.droppedFrom = "\(found[index].path) at byte \(offset) (\(problem))"
                guard truncate(found[index].path, off_t(offset)) == 0 else {
                    throw StreamLogError("cannot cut the torn end off \(found[index].path): \(String(cString: strerror(errno)))")
                }
            }
            found[index].size = offset
            logical += UInt64(offset)
        }
        recovery.segments = found.count
        if found.isEmpty {
            found.append(Segment(number: 1, path: directory + "/segment-000001.log", logicalStart: 0, fileBase: 0, size: 0, newestArrival: .min))
        }
        let current = found[found.count - 1]
        descriptor = open(current.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StreamLogError("cannot open \(current.path) for writing: \(String(cString: strerror(errno)))")
        }
        segments = found
        appended = logical
        resolved = logical
        lastRecovery = recovery
    }

    /// What the last open found.
    private(set) var lastRecovery = Recovery()

    deinit {
        close(descriptor)
    }

    /// Queues frames (already encoded) behind everything appended before; returns the
    /// logical offset they start at. They are written by the next `waitWritten`.
    func append(_ frames: UnsafeRawBufferPointer, newestArrival: Int64 = .min) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        let start = appended
        pending.append(contentsOf: frames)
        pendingNewestArrival = max(pendingNewestArrival, newestArrival)
        appended += UInt64(frames.count)
        return start
    }

    /// Returns once everything up to `offset` is written (and synced); throws when the
    /// write that held it failed, in which case none of it is in the log. The first
    /// waiter writes what is pending for everyone; the others wait for it.
    /// `positions` gives every consumer's checkpoint frames, written again at the head
    /// of a new segment so deleting old segments never loses a position.
    func waitWritten(through offset: UInt64, nowMillis: Int64, positions: () -> [UInt8]) throws(StreamLogError) {
        condition.lock()
        defer { condition.unlock() }
        while resolved < offset {
            if syncing {
                condition.wait()
                continue
            }
            syncing = true
            let bytes = pending
            let newest = pendingNewestArrival
            let start = resolved
            let end = appended
            pending = []
            pendingNewestArrival = .min
            condition.unlock()
            let problem = flush(bytes, logicalStart: start, newestArrival: newest, nowMillis: nowMillis, positions: positions)
            condition.lock()
            syncing = false
            if let problem {
                failures.append((start...end, problem))
                if failures.count > 64 { failures.removeFirst() }
            }
            resolved = end
            condition.broadcast()
        }
        if let failure = failures.last(where: { $0.range.contains(offset) && offset > $0.range.lowerBound }) {
            throw StreamLogError(failure.message)
        }
    }

    /// Writes (and syncs) `bytes` at the end of the current segment, rolling to a new one
    /// first when it is full, and deletes segments past retention. Runs outside the lock
    /// (only the syncing caller is here); returns a failure message. A write that fails
    /// is cut back off the file, so what was refused is never read back.
    private func flush(_ bytes: [UInt8], logicalStart: UInt64, newestArrival: Int64, nowMillis: Int64, positions: () -> [UInt8]) -> String? {
        var current = segments[segments.count - 1]
        if mustRoll || (current.size > 0 && current.size + bytes.count > segmentBytes) {
            if let problem = roll(from: current, logicalStart: logicalStart, positions: positions()) { return problem }
            current = segments[segments.count - 1]
        }
        let written = bytes.withUnsafeBytes { writeAll(descriptor, $0) }
        let synced = written && (!sync || fdatasync(descriptor) == 0)
        guard synced else {
            let message = written
                ? "cannot sync \(current.path): \(String(cString: strerror(errno)))"
                : "cannot write \(current.path): \(String(cString: strerror(errno)))"
            // Whatever part reached the file is cut off again; if even that fails, the next
            // write goes to a new segment and a restart cuts it at the frame that is torn.
            _ = ftruncate(descriptor, off_t(current.size))
            condition.lock()
            mustRoll = true
            condition.unlock()
            return message
        }
        condition.lock()
        segments[segments.count - 1].size += bytes.count
        segments[segments.count - 1].newestArrival = max(current.newestArrival, newestArrival)
        condition.unlock()
        deleteExpired(nowMillis: nowMillis)
        return nil
    }

    private func roll(from current: Segment, logicalStart: UInt64, positions frames: [UInt8]) -> String? {
        let number = current.number + 1
        let path = directory + "/" + String(format: "segment-%06d.log", number)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return "cannot create \(path): \(String(cString: strerror(errno)))" }
        guard frames.withUnsafeBytes({ writeAll(descriptor, $0) }), !sync || (fdatasync(descriptor) == 0 && syncDirectory()) else {
            let message = "cannot start \(path): \(String(cString: strerror(errno)))"
            close(descriptor)
            unlink(path)
            return message
        }
        close(self.descriptor)
        condition.lock()
        self.descriptor = descriptor
        mustRoll = false
        segments.append(Segment(
            number: number, path: path, logicalStart: logicalStart, fileBase: frames.count, size: frames.count, newestArrival: .min))
        condition.unlock()
        return nil
    }

    /// Deletes whole segments, oldest first, whose newest record is past retention.
    private func deleteExpired(nowMillis: Int64) {
        let retentionMillis = retentionMillis
        guard retentionMillis < Int64.max / 2 else { return }
        while segments.count > 1, segments[0].newestArrival < nowMillis - retentionMillis {
            unlink(segments[0].path)
            condition.lock()
            segments.removeFirst()
            condition.unlock()
        }
    }

    /// The logical offset of the oldest byte still in a segment file.
    var oldestOffset: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return segments[0].logicalStart
    }

    /// Reads `count` bytes at logical offset `offset` (written, within one segment) into
    /// `block`; returns their offset in the block.
    func read(at offset: UInt64, count: Int, into block: ByteBlock) throws(StreamLogError) -> Int {
        condition.lock()
        guard let index = segments.lastIndex(where: { $0.logicalStart <= offset }), offset + UInt64(count) <= segments[index].logicalEnd else {
            condition.unlock()
            throw StreamLogError("the stream log in \(directory) no longer holds bytes \(offset)..<\(offset + UInt64(count)) (past retention)")
        }
        if segments[index].reader == nil { segments[index].reader = ReadHandle(path: segments[index].path) }
        let reader = segments[index].reader
        let fileOffset = segments[index].fileBase + Int(offset - segments[index].logicalStart)
        condition.unlock()
        guard let reader else {
            throw StreamLogError("cannot open \(segments[index].path) for reading: \(String(cString: strerror(errno)))")
        }
        var failure: String?
        let at = block.appendInPlace(count) { target in
            var done = 0
            while done < count {
                let got = pread(reader.descriptor, target.baseAddress! + done, count - done, off_t(fileOffset + done))
                if got < 0 && errno == EINTR { continue }
                if got <= 0 {
                    failure = got == 0 ? "it ends early" : String(cString: strerror(errno))
                    break
                }
                done += got
            }
            return done
        }
        if let failure {
            throw StreamLogError("cannot read \(reader.path) at byte \(fileOffset): \(failure)")
        }
        return at
    }

    /// Segment file names, oldest first (for tests and the start-up line).
    var segmentNames: [String] {
        condition.lock()
        defer { condition.unlock() }
        return segments.map { ($0.path as NSString).lastPathComponent }
    }

    private func syncDirectory() -> Bool {
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else { return false }
        defer { close(directoryDescriptor) }
        return fsync(directoryDescriptor) == 0
    }

    private func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += count
        }
        return true
    }

    private static func writeDurably(_ bytes: [UInt8], to path: String, directory: String) throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StreamLogError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let ok = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) == $0.count } && fsync(descriptor) == 0
        close(descriptor)
        guard ok, rename(temporary, path) == 0 else { throw StreamLogError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}

/// The log cannot be read or written; the message says which file and what to do.
public struct StreamLogError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
