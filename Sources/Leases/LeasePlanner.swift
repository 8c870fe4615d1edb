/// When a worker last saw a lease's counter move: a lease whose counter stays still for
/// the lease duration has a dead holder (the KCL's rule; it needs no shared clock).
public struct LeaseSighting: Sendable, Equatable {
    public var counter: Int64
    public var sinceMillis: Int64

    public init(counter: Int64, sinceMillis: Int64) {
        self.counter = counter
        self.sinceMillis = sinceMillis
    }
}

/// What one worker takes on one pass over the lease table, decided as the KCL's lease
/// taker decides it: every worker aims at `ceil(leases / workers)`, takes expired or
/// unowned leases first, and steals one lease from the most loaded worker only when none
/// are free. Only leases whose parents are finished count (lineage order); finished ones
/// need no holder. Deterministic: the same table and sightings give the same plan.
public enum LeasePlanner {
    public struct Plan: Sendable, Equatable {
        /// Free leases to take (unowned, or expired), in key order.
        public var take: [Lease]
        /// A lease of the most loaded worker, taken to balance.
        public var steal: Lease?
        /// The share every worker aims at.
        public var target: Int
        /// Live workers, this one among them.
        public var workers: [String]
    }

    /// Updates `sightings` with what the table shows now.
    public static func observe(_ leases: [Lease], at now: Int64, into sightings: inout [String: LeaseSighting]) {
        var seen: [String: LeaseSighting] = [:]
        for lease in leases {
            if let old = sightings[lease.leaseKey], old.counter == lease.leaseCounter {
                seen[lease.leaseKey] = old
            } else {
                seen[lease.leaseKey] = LeaseSighting(counter: lease.leaseCounter, sinceMillis: now)
            }
        }
        sightings = seen
    }

    public static func isExpired(_ lease: Lease, sightings: [String: LeaseSighting], now: Int64, leaseDurationMillis: Int64) -> Bool {
        guard lease.leaseOwner != nil else { return true }
        guard let sighting = sightings[lease.leaseKey], sighting.counter == lease.leaseCounter else { return false }
        return now - sighting.sinceMillis > leaseDurationMillis
    }

    /// Leases that may be worked on: not finished, and every parent finished (a parent with
    /// no lease is past retention, so finished too).
    public static func workable(_ leases: [Lease]) -> [Lease] {
        let finished = Set(leases.filter(\.isFinished).map(\.leaseKey))
        let known = Set(leases.map(\.leaseKey))
        return leases.filter { lease in
            !lease.isFinished && lease.parentShardIds.allSatisfy { finished.contains($0) || !known.contains($0) }
        }
    }

    public static func plan(
        _ leases: [Lease], worker: String, sightings: [String: LeaseSighting], now: Int64, leaseDurationMillis: Int64
    ) -> Plan {
        let candidates = workable(leases).sorted { $0.leaseKey < $1.leaseKey }
        var free: [Lease] = []
        var held: [String: [Lease]] = [worker: []]
        for lease in candidates {
            if lease.leaseOwner != worker && isExpired(lease, sightings: sightings, now: now, leaseDurationMillis: leaseDurationMillis) {
                free.append(lease)
            } else if let owner = lease.leaseOwner {
                held[owner, default: []].append(lease)
            }
        }
        let workers = held.keys.sorted()
        let target = candidates.isEmpty ? 0 : (candidates.count + workers.count - 1) / workers.count
        let needed = target - held[worker]!.count
        guard needed > 0 else { return Plan(take: [], steal: nil, target: target, workers: workers) }
        if !free.isEmpty {
            return Plan(take: Array(free.prefix(needed)), steal: nil, target: target, workers: workers)
        }
        // The most loaded other worker (ties to the first by name); steal one of its leases
        // when it holds more than its share, or its full share while this one needs two or more.
        guard let richest = workers.filter({ $0 != worker }).max(by: { (held[$0]!.count, $1) < (held[$1]!.count, $0) }) else {
            return Plan(take: [], steal: nil, target: target, workers: workers)
        }
        let count = held[richest]!.count
        if count > target || (count == target && needed > 1) {
            return Plan(take: [], steal: held[richest]!.last, target: target, workers: workers)
        }
        return Plan(take: [], steal: nil, target: target, workers: workers)
    }
}
