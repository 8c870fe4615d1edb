import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Storage

/// Runs a merger on its own thread, fed by object-created events. Events that
/// arrive while a merge runs, or within `coalesceMillis` of the first pending one,
/// are merged together, so the merger keeps up however fast objects come: each
/// merge rewrites the history files and commits once. A merge takes at most
/// `maxObjectsPerMerge` objects, so a backlog (a restart, a merger that fell behind)
/// is worked off in merges of bounded memory, not in one that holds it all.
public final class MergeQueue: @unchecked Sendable {
    public let merger: HistoryMerger
    public let coalesceMillis: Int
    public let maxObjectsPerMerge: Int
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [String] = []
    private var enqueued = 0
    private var done = 0
    private var stopping = false
    private var errors: [String] = []
    private var merges = 0
    private var largest = 0
    private var draining = false

    public init(merger: HistoryMerger, coalesceMillis: Int = 200, maxObjectsPerMerge: Int = 64, background: Bool = false) {
        precondition(maxObjectsPerMerge >= 1, "a merge takes at least one object")
        self.merger = merger
        self.coalesceMillis = coalesceMillis
        self.maxObjectsPerMerge = maxObjectsPerMerge
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

    /// Waits until every key enqueued so far is merged; returns the errors seen.
    @discardableResult
    public func drain() -> [String] {
        condition.lock()
        draining = true
        condition.broadcast()
        while done < enqueued { condition.wait() }
        draining = false
        let seen = errors
        condition.unlock()
        return seen
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

    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopping { condition.wait() }
            if pending.isEmpty && stopping {
                condition.unlock()
                return
            }
            // Wait a little for more objects (wall time: this paces real work, not race time).
            let deadline = Date(timeIntervalSinceNow: Double(coalesceMillis) / 1000)
            while !draining && !stopping && pending.count < maxObjectsPerMerge && condition.wait(until: deadline) {}
            let keys = Array(pending.prefix(maxObjectsPerMerge))
            pending.removeFirst(keys.count)
            condition.unlock()

            var error: String?
            do {
                try merger.merge(keys: keys)
            } catch let failure {
                error = "merge of \(keys.count) objects failed: \(failure)"
            }

            condition.lock()
            done += keys.count
            merges += 1
            largest = max(largest, keys.count)
            if let error { errors.append(error) }
            condition.broadcast()
            condition.unlock()
        }
    }
}
