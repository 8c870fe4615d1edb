import Dispatch
import Foundation
import KinesisStream
import RaceModel
import Synchronization

/// One race second's records, ready to put, already cut into PutRecords batches.
struct GeneratedSecond: Sendable {
    var race: Int
    var second: Int
    var sendMillis: Int64
    var batches: [[PutRecordsRequestEntry]]

    var count: Int { batches.reduce(0) { $0 + $1.count } }
}

/// Builds a plan's seconds in order on a background thread, at most `depth` ahead
/// of the reader. Seconds the reader has put come back through `recycle` and are
/// freed on the generator's thread, which has time to spare, not on the putting one.
final class GeneratedSeconds: Sendable {
    private let ready = Mutex<[GeneratedSecond]>([])
    private let used = Mutex<[GeneratedSecond]>([])
    private let filled = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private let total: Int
    private let taken = Mutex(0)
    private let stopped = Atomic(false)

    init(plan: SimulationPlan, depth: Int) {
        // Made at 0 and raised to `depth`: libdispatch traps when a semaphore goes while
        // below its initial value, as this one does when a run stops early.
        free = DispatchSemaphore(value: 0)
        for _ in 0..<depth { free.signal() }
        total = plan.races * plan.seconds
        let thread = Thread { [self] in
            let generator = RaceGenerator(plan: plan)
            var keys = SplitMix64(seed: SplitMix64.mix(plan.seed ^ 0x6B65_7973))
            for race in 0..<plan.races {
                let profiles = generator.profiles(race: race)
                for second in 1...plan.seconds {
                    let spent = used.withLock { used in
                        defer { used.removeAll() }
                        return used
                    }
                    _ = spent  // released here, at the end of this scope
                    var entries: [PutRecordsRequestEntry] = []
                    entries.reserveCapacity(plan.racers)
                    generator.records(race: race, second: second, profiles: profiles, keys: &keys, into: &entries)
                    let batches = stride(from: 0, to: entries.count, by: plan.batchSize).map {
                        Array(entries[$0..<min($0 + plan.batchSize, entries.count)])
                    }
                    let item = GeneratedSecond(
                        race: race, second: second, sendMillis: generator.sendMillis(race: race, second: second),
                        batches: batches)
                    free.wait()
                    if stopped.load(ordering: .relaxed) { return }
                    ready.withLock { $0.append(item) }
                    filled.signal()
                }
            }
        }
        thread.name = "alleycat-sim generator"
        thread.start()
    }

    /// Hands back a second that has been put, to be freed on the generator's thread.
    func recycle(_ second: GeneratedSecond) {
        used.withLock { $0.append(second) }
    }

    /// Ends the generator early (the reader takes no more seconds).
    func stop() {
        stopped.store(true, ordering: .relaxed)
        free.signal()
    }

    /// The next second, or nil after the plan's last one.
    func next() -> GeneratedSecond? {
        let done = taken.withLock { count in
            if count == total { return true }
            count += 1
            return false
        }
        if done { return nil }
        filled.wait()
        let item = ready.withLock { $0.removeFirst() }
        free.signal()
        return item
    }
}
