import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RaceModel
import Storage

/// Runs a merger on its own thread, fed by object-created events. Events that
/// arrive while a merge runs, or within `coalesceMillis` of the first pending one,
/// are merged together, so the merger keeps up however fast objects come: each
/// merge rewrites the history files and commits once. A merge takes at most
/// `maxObjectsPerMerge` objects, so a backlog (a restart, a merger that fell behind)
/// is worked off in merges of bounded memory, not in one that holds it all.
///
/// A merge that fails (a store locked by another process, a full disk) is tried again
/// with the same objects, with backoff on `clock` (`StageHealth`), before anything
/// newer; it is logged once when it starts failing and once when it recovers. Merging
/// is a maximum, so what the failed attempt wrote before it failed is written again alike.
public final class MergeQueue: @unchecked Sendable {
    public let merger: HistoryMerger
    public let coalesceMillis: Int
    public let maxObjectsPerMerge: Int
    public let clock: any EpochClock
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [String] = []
    /// The objects of the merge that failed, tried again first.
    private var retrying: [String] = []
    private var health = StageHealth()
    /// The merger thread is waiting for `health.retryAtMillis`.
    private var waitingForRetry = false
    private var enqueued = 0
    private var done = 0
    private var stopping = false
    private var merges = 0
    private var largest = 0
    private var draining = false

    public init(
        merger: HistoryMerger, coalesceMillis: Int = 200, maxObjectsPerMerge: Int = 64, background: Bool = false,
        clock: any EpochClock = SystemClock()
    ) {
        precondition(maxObjectsPerMerge >= 1, "a merge takes at least one object")
        self.merger = merger
        self.coalesceMillis = coalesceMillis
        self.maxObjectsPerMerge = maxObjectsPerMerge
        self.clock = clock
        let thread = Thread { [self] in
            #if os(Linux)
            // Merging is batch work: under load the kernel should run live rankings first.
            if background { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10) }  // 0: this thread, on Linux
            #endif
            loop()
        }
        thread.name = "alleycat merger"
        thread.start()
    }

    /// Subscribes to the merger's delivery bucket.
    public func subscribe() {
        merger.deliveryBucket.subscribe { [self] event in enqueue(event.key) }
    }

    public func enqueue(_ key: String) {
        condition.lock()
        pending.append(key)
        enqueued += 1
        condition.signal()
        condition.unlock()
    }

    /// Waits until every key enqueued so far is merged, or a merge is failing and waits
    /// for its next attempt; returns what is failing (empty when everything is merged).
    @discardableResult
    public func drain() -> [String] {
        condition.lock()
        draining = true
        condition.broadcast()
        while done < enqueued && !(waitingForRetry && !health.isDue(nowMillis: clock.nowMillis())) { condition.wait() }
        draining = false
        let failing = health.isFailing ? ["merge of \(retrying.count) object\(retrying.count == 1 ? "" : "s") \(health.describeFailure(nowMillis: clock.nowMillis()))"] : []
        condition.unlock()
        return failing
    }

    /// Merges done so far (each may hold several objects).
    public var mergeCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return merges
    }

    /// Objects in the largest merge so far (at most `maxObjectsPerMerge`).
    public var largestMerge: Int {
        condition.lock()
        defer { condition.unlock() }
        return largest
    }

    /// Whether merges are failing, and when the next attempt is.
    public var status: StageHealth {
        condition.lock()
        defer { condition.unlock() }
        return health
    }

    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Called with `condition` locked; returns the keys of the next merge, or nil to stop.
    private func nextKeys() -> [String]? {
        while true {
            if !retrying.isEmpty {
                // Failing objects are left unmerged at a stop: the next start replays them.
                if stopping { return nil }
                if health.isDue(nowMillis: clock.nowMillis()) {
                    waitingForRetry = false
                    defer { retrying = [] }
                    return retrying
                }
                if !waitingForRetry {
                    waitingForRetry = true
                    condition.broadcast()
                }
                // Polled in wall time, as the clock may be virtual (moved by another thread).
                _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05))
                continue
            }
            if !pending.isEmpty { break }
            if stopping { return nil }
            condition.wait()
        }
        // Wait a little for more objects (wall time: this paces real work, not race time).
        let deadline = Date(timeIntervalSinceNow: Double(coalesceMillis) / 1000)
        while !draining && !stopping && pending.count < maxObjectsPerMerge && condition.wait(until: deadline) {}
        let keys = Array(pending.prefix(maxObjectsPerMerge))
        pending.removeFirst(keys.count)
        return keys
    }

    private func loop() {
        while true {
            condition.lock()
            guard let keys = nextKeys() else {
                condition.unlock()
                return
            }
            condition.unlock()

            var failure: (any Error)?
            do {
                try merger.merge(keys: keys)
            } catch {
                failure = error
            }

            let now = clock.nowMillis()
            condition.lock()
            var line: String?
            if let failure {
                retrying = keys
                if health.failed(String(describing: failure), nowMillis: now) {
                    line = "merger: cannot merge \(keys.count) object\(keys.count == 1 ? "" : "s") (first \(keys[0])): \(failure); "
                        + health.retryText(nowMillis: now)
                }
            } else {
                if let streak = health.recovered(nowMillis: now) { line = "merger: merging again after \(streak)" }
                done += keys.count
                merges += 1
                largest = max(largest, keys.count)
            }
            condition.broadcast()
            condition.unlock()
            if let line { logLine(line) }
        }
    }
}
