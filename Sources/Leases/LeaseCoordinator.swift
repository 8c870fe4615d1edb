import AWSClient
import StreamReading

/// One worker's side of the lease table, on the caller's clock: renews what it holds,
/// takes free and expired leases and steals to balance (`LeasePlanner`), creates leases
/// for new shards, and moves checkpoints only while it holds the lease. Driven by one
/// loop (its owner), so it is not `Sendable`.
public final class LeaseCoordinator {
    public struct Settings: Sendable, Equatable {
        /// A lease whose counter stands still this long is taken over.
        public var leaseDurationMillis: Int64
        public var renewIntervalMillis: Int64
        /// How often the table is read to take, steal and notice losses.
        public var takeIntervalMillis: Int64

        /// A dead worker's leases are taken within about 10 s: the lease duration, plus at
        /// most one renewal and one pass over the table.
        public static let standard = Settings(leaseDurationMillis: 6_000, renewIntervalMillis: 2_000, takeIntervalMillis: 2_000)

        public init(leaseDurationMillis: Int64, renewIntervalMillis: Int64, takeIntervalMillis: Int64) {
            self.leaseDurationMillis = leaseDurationMillis
            self.renewIntervalMillis = renewIntervalMillis
            self.takeIntervalMillis = takeIntervalMillis
        }
    }

    /// Leases that came and went in one `tick`.
    public struct Changes: Sendable, Equatable {
        public var gained: [String] = []
        public var lost: [String] = []

        public init(gained: [String] = [], lost: [String] = []) {
            self.gained = gained
            self.lost = lost
        }
    }

    public let worker: String
    public let table: LeaseTable
    public let settings: Settings
    /// The leases this worker holds, as it last wrote them.
    public private(set) var held: [String: Lease] = [:]
    /// The table as the last pass read it.
    public private(set) var lastSeen: [Lease] = []
    private var renewedAt: [String: Int64] = [:]
    private var sightings: [String: LeaseSighting] = [:]
    private var nextRenewMillis: Int64 = .min
    private var nextTakeMillis: Int64 = .min

    public init(worker: String, table: LeaseTable, settings: Settings = .standard) {
        self.worker = worker
        self.table = table
        self.settings = settings
    }

    /// Keys of held leases, in order.
    public var heldKeys: [String] { held.keys.sorted() }

    /// Creates a lease (at `TRIM_HORIZON`, with its parents) for every shard that has none.
    /// Returns the keys created; a lease another worker created first is not an error.
    @discardableResult
    public func syncShards(_ shards: [SourceShard]) throws(AWSCallError) -> [String] {
        let existing = Set(try table.list().map(\.leaseKey))
        var created: [String] = []
        for shard in shards where !existing.contains(shard.shardId) {
            if try table.create(Lease(leaseKey: shard.shardId, parentShardIds: shard.parents)) { created.append(shard.shardId) }
        }
        return created
    }

    /// Renews, then takes, as each falls due at `now`.
    public func tick(now: Int64) throws(AWSCallError) -> Changes {
        var changes = Changes()
        if now >= nextRenewMillis {
            nextRenewMillis = now + settings.renewIntervalMillis
            changes.lost += try renew(now: now)
        }
        if now >= nextTakeMillis {
            nextTakeMillis = now + settings.takeIntervalMillis
            let pass = try take(now: now)
            changes.gained += pass.gained
            changes.lost += pass.lost
        }
        return changes
    }

    /// Records `checkpoint` (a sequence number, or `Lease.shardEnd`) for a held lease; false
    /// when the lease is no longer this worker's (its records are someone else's to deliver).
    public func checkpoint(_ key: String, at checkpoint: String) throws(AWSCallError) -> Bool {
        guard let lease = held[key] else { return false }
        guard let moved = try table.checkpoint(lease, at: checkpoint) else {
            drop(key)
            return false
        }
        held[key] = moved
        // A finished shard needs no holder: handed back, so it is not renewed for ever.
        if moved.isFinished {
            _ = try table.release(moved)
            drop(key)
        }
        return true
    }

    /// Hands every held lease back, so the other workers take them on their next pass
    /// instead of waiting for them to expire (a graceful stop).
    public func releaseAll() throws(AWSCallError) {
        for key in heldKeys {
            if let lease = held[key] { _ = try table.release(lease) }
            drop(key)
        }
    }

    private func renew(now: Int64) throws(AWSCallError) -> [String] {
        var lost: [String] = []
        for key in heldKeys {
            guard let lease = held[key] else { continue }
            do {
                if let renewed = try table.renew(lease) {
                    held[key] = renewed
                    renewedAt[key] = now
                    continue
                }
            } catch {
                // Unreachable table: keep the lease while it may still be ours.
                if now - (renewedAt[key] ?? now) <= settings.leaseDurationMillis { continue }
            }
            drop(key)
            lost.append(key)
        }
        return lost
    }

    private func take(now: Int64) throws(AWSCallError) -> Changes {
        var changes = Changes()
        let leases = try table.list()
        lastSeen = leases
        LeasePlanner.observe(leases, at: now, into: &sightings)
        // A held lease the table shows changed by someone else was stolen or finished elsewhere.
        for lease in leases {
            if let mine = held[lease.leaseKey], lease != mine {
                drop(lease.leaseKey)
                changes.lost.append(lease.leaseKey)
            }
        }
        // A lease the table gives this worker that it does not hold (a restart under the same
        // worker id) is free to it: nobody renews it, and it is taken on its counter as it is.
        let view = leases.map { lease -> Lease in
            if let mine = held[lease.leaseKey] { return mine }
            guard lease.leaseOwner == worker else { return lease }
            var orphan = lease
            orphan.leaseOwner = nil
            return orphan
        }
        let plan = LeasePlanner.plan(view, worker: worker, sightings: sightings, now: now, leaseDurationMillis: settings.leaseDurationMillis)
        for lease in plan.take + [plan.steal].compactMap({ $0 }) {
            if let taken = try table.take(lease, owner: worker) {
                held[lease.leaseKey] = taken
                renewedAt[lease.leaseKey] = now
                changes.gained.append(lease.leaseKey)
            }
        }
        return changes
    }

    private func drop(_ key: String) {
        held[key] = nil
        renewedAt[key] = nil
    }
}
