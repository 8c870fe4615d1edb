#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The stream's durable log: accepted records (and consumers' checkpoints) appended
/// to numbered segment files under `data/stream/`, fsynced before a record is
/// acknowledged. Callers that arrive while a sync is running share the next one
/// (group commit), so many PutRecords calls cost one fsync. All shards share the
/// log: a call spanning shards is one write and one sync, not one per shard.
final class SegmentLog: @unchecked Sendable {
    let directory: String
    let segmentBytes: Int
    let retentionMillis: Int64
    /// A random id made with the log: positions saved elsewhere (the firehose's
    /// checkpoint) name it, so they are not applied to another stream.
    let identity: String

    private struct Segment {
        var number: Int
        var path: String
        var size: Int
        /// Arrival of the newest record in it (`.min` when none).
        var newestArrival: Int64
    }

    // All state below is guarded by `condition`; `segments` and `descriptor` change only
    // in the one caller syncing at a time, under the lock, so that caller reads them freely.
    private let condition = NSCondition()
    private var pending: [UInt8] = []
    private var pendingNewestArrival: Int64 = .min
    private var appended: UInt64 = 0
    private var durable: UInt64 = 0
    private var syncing = false
    private var failure: String?
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
    /// first, to `replay`. A torn or damaged tail of the newest segment is cut off.
    init(
        directory: String, segmentBytes: Int, retentionMillis: Int64,
        replay: (LogFrame) throws -> Void
    ) throws {
        self.directory = directory
        self.segmentBytes = segmentBytes
        self.retentionMillis = retentionMillis
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let identityPath = directory + "/identity"
        if let existing = try? String(contentsOfFile: identityPath, encoding: .utf8), !existing.isEmpty {
            identity = existing.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            identity = String(UInt64.random(in: .min ... .max), radix: 16)
            try Self.writeDurably(Array((identity + "\n").utf8), to: identityPath, directory: directory)
        }

        var found: [Segment] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        for name in names where name.hasPrefix("segment-") && name.hasSuffix(".log") {
            guard let number = Int(name.dropFirst(8).dropLast(4)) else { continue }
            found.append(Segment(number: number, path: directory + "/" + name, size: 0, newestArrival: .min))
        }
        found.sort { $0.number < $1.number }
        var recovery = Recovery()
        for index in found.indices {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: found[index].path)))
            var offset = 0
            var problem: String?
            try bytes.withUnsafeBytes { raw in
                while offset < raw.count {
                    switch LogFrame.read(raw, at: offset) {
                    case let .frame(frame, next):
                        try replay(frame)
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
        }
        recovery.segments = found.count
        if found.isEmpty {
            found.append(Segment(number: 1, path: directory + "/segment-000001.log", size: 0, newestArrival: .min))
        }
        let current = found[found.count - 1]
        descriptor = open(current.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StreamLogError("cannot open \(current.path) for writing: \(String(cString: strerror(errno)))")
        }
        segments = found
        lastRecovery = recovery
    }

    /// What the last open found.
    private(set) var lastRecovery = Recovery()

    deinit {
        close(descriptor)
    }

    /// Queues frames (already encoded) behind everything appended before; returns the
    /// log offset that must be durable for them to be.
    func append(_ frames: [UInt8], newestArrival: Int64 = .min) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        pending.append(contentsOf: frames)
        pendingNewestArrival = max(pendingNewestArrival, newestArrival)
        appended += UInt64(frames.count)
        return appended
    }

    /// Returns once everything up to `offset` is written and fsynced. The first waiter
    /// writes and syncs what is pending for everyone; the others wait for it.
    /// `positions` gives every consumer's checkpoint frames, written again at the head
    /// of a new segment so deleting old segments never loses a position.
    func waitDurable(through offset: UInt64, nowMillis: Int64, positions: () -> [UInt8]) throws(StreamLogError) {
        condition.lock()
        defer { condition.unlock() }
        while durable < offset {
            if let failure { throw StreamLogError(failure) }
            if syncing {
                condition.wait()
                continue
            }
            syncing = true
            let bytes = pending
            let newest = pendingNewestArrival
            let end = appended
            pending = []
            pendingNewestArrival = .min
            condition.unlock()
            let problem = flush(bytes, newestArrival: newest, nowMillis: nowMillis, positions: positions)
            condition.lock()
            syncing = false
            if let problem { failure = problem } else { durable = end }
            condition.broadcast()
        }
    }

    /// Writes and syncs `bytes` at the end of the current segment, rolling to a new one
    /// first when it is full, and deletes segments past retention. Runs outside the lock
    /// (only the syncing caller is here); returns a failure message.
    private func flush(_ bytes: [UInt8], newestArrival: Int64, nowMillis: Int64, positions: () -> [UInt8]) -> String? {
        var current = segments[segments.count - 1]
        if current.size > 0 && current.size + bytes.count > segmentBytes {
            if let problem = roll(from: current, positions: positions()) { return problem }
            current = segments[segments.count - 1]
        }
        let written = bytes.withUnsafeBytes { writeAll(descriptor, $0) }
        guard written else { return "cannot write \(current.path): \(String(cString: strerror(errno)))" }
        guard fdatasync(descriptor) == 0 else { return "cannot sync \(current.path): \(String(cString: strerror(errno)))" }
        condition.lock()
        segments[segments.count - 1].size += bytes.count
        segments[segments.count - 1].newestArrival = max(current.newestArrival, newestArrival)
        condition.unlock()
        deleteExpired(nowMillis: nowMillis)
        return nil
    }

    private func roll(from current: Segment, positions frames: [UInt8]) -> String? {
        let next = Segment(
            number: current.number + 1, path: directory + "/" + String(format: "segment-%06d.log", current.number + 1),
            size: 0, newestArrival: .min)
        let descriptor = open(next.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return "cannot create \(next.path): \(String(cString: strerror(errno)))" }
        guard frames.withUnsafeBytes({ writeAll(descriptor, $0) }), fdatasync(descriptor) == 0, syncDirectory() else {
            close(descriptor)
            return "cannot start \(next.path): \(String(cString: strerror(errno)))"
        }
        close(self.descriptor)
        condition.lock()
        self.descriptor = descriptor
        segments.append(Segment(number: next.number, path: next.path, size: frames.count, newestArrival: .min))
        condition.unlock()
        return nil
    }

    /// Deletes whole segments, oldest first, whose newest record is past retention.
    private func deleteExpired(nowMillis: Int64) {
        guard retentionMillis < Int64.max / 2 else { return }
        while segments.count > 1, segments[0].newestArrival < nowMillis - retentionMillis {
            unlink(segments[0].path)
            condition.lock()
            segments.removeFirst()
            condition.unlock()
        }
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
