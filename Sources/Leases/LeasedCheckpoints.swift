import AWSClient
import Synchronization
import StreamReading

/// A worker's leases as the `CheckpointStore` its readers use: the positions are the
/// leases' checkpoints in the table (one table per application, as with the KCL, so the
/// consumer name is not part of the key), and a position is kept only for a lease this
/// worker still holds. The coordinator lives inside a lock, so the worker's loop and its
/// readers may call from different threads.
public final class LeasedCheckpoints: CheckpointStore, ShardAssignment {
    private let coordinator: Mutex<LeaseCoordinator>
    private let problem = Mutex<String?>(nil)
    /// Lists the stream's shards, so leases are made for the children of a reshard.
    private let shardLister: (@Sendable () throws(SourceError) -> [SourceShard])?
    private let nextSyncMillis = Mutex<Int64>(.min)
    /// The stream's shards are listed again this often (as the reader lists them).
    public static let syncIntervalMillis: Int64 = 10_000

    /// Why the lease table could not be read or written at the last try (nil once it could).
    public var lastProblem: String? { problem.withLock { $0 } }

    public init(
        worker: String, table: LeaseTable, settings: LeaseCoordinator.Settings = .standard,
        shardLister: (@Sendable () throws(SourceError) -> [SourceShard])? = nil
    ) {
        coordinator = Mutex(LeaseCoordinator(worker: worker, table: table, settings: settings))
        self.shardLister = shardLister
    }

    /// What the worker reads now: the shards it holds, and the shards finished anywhere.
    public struct Assignment: Sendable, Equatable {
        public var held: Set<String>
        public var finished: Set<String>
    }

    public func syncShards(_ shards: [SourceShard]) throws(AWSCallError) -> [String] {
        try coordinator.withLock { coordinator throws(AWSCallError) in try coordinator.syncShards(shards) }
    }

    public func tick(now: Int64) throws(AWSCallError) -> LeaseCoordinator.Changes {
        try coordinator.withLock { coordinator throws(AWSCallError) in try coordinator.tick(now: now) }
    }

    public var assignment: Assignment {
        coordinator.withLock { coordinator in
            Assignment(held: Set(coordinator.heldKeys), finished: Set(coordinator.lastSeen.filter(\.isFinished).map(\.leaseKey)))
        }
    }

    /// Marks a held shard read to its end and everything in it delivered; false when the
    /// lease has moved on.
    public func finish(_ shardId: String) throws(AWSCallError) -> Bool {
        try coordinator.withLock { coordinator throws(AWSCallError) in try coordinator.checkpoint(shardId, at: Lease.shardEnd) }
    }

    public func releaseAll() throws(AWSCallError) {
        try coordinator.withLock { coordinator throws(AWSCallError) in try coordinator.releaseAll() }
    }

    /// As a reader's assignment: renews and takes leases as they fall due, then says what
    /// is held. A table that cannot be reached leaves the leases as they were (they expire
    /// in their own time if it stays away) and is reported in `lastProblem`.
    public func shards(nowMillis: Int64) -> (held: Set<String>, finished: Set<String>) {
        var listing: String?
        if let shardLister, nextSyncMillis.withLock({ $0 <= nowMillis }) {
            do {
                _ = try syncShards(try shardLister())
                nextSyncMillis.withLock { $0 = nowMillis + Self.syncIntervalMillis }
            } catch {
                listing = "cannot make leases for the stream's shards: \(error)"
            }
        }
        do throws(AWSCallError) {
            _ = try tick(now: nowMillis)
            problem.withLock { $0 = listing }
        } catch {
            problem.withLock { $0 = error.message }
        }
        let assignment = assignment
        return (assignment.held, assignment.finished)
    }

    public func shardFinished(_ shardId: String) {
        do throws(AWSCallError) {
            _ = try finish(shardId)
        } catch {
            problem.withLock { $0 = error.message }
        }
    }

    public func checkpoints(consumer: String) throws(SourceError) -> [String: RecordSequence] {
        coordinator.withLock { coordinator in
            var positions: [String: RecordSequence] = [:]
            for (key, lease) in coordinator.held {
                if let sequence = RecordSequence(lease.checkpoint) { positions[key] = sequence }
            }
            return positions
        }
    }

    /// Moves each held lease's checkpoint forward; positions of leases lost meanwhile are
    /// dropped (their new holder reads on from the last checkpoint, and merges are idempotent).
    public func save(consumer: String, _ positions: [String: RecordSequence]) throws(SourceError) {
        do throws(AWSCallError) {
            try coordinator.withLock { coordinator throws(AWSCallError) in
                for key in positions.keys.sorted() {
                    guard let lease = coordinator.held[key], let position = positions[key] else { continue }
                    if let current = RecordSequence(lease.checkpoint), current >= position { continue }
                    _ = try coordinator.checkpoint(key, at: position.text)
                }
            }
        } catch {
            throw .failure("cannot keep checkpoints in the lease table: \(error.message)")
        }
    }
}
