import Foundation
import RaceModel
import Storage
import Testing
@testable import Leaderboard

/// A merge that fails is tried again with the same objects, with backoff on the clock.
/// The failure is real: a folder where the history file must go (the rename onto it fails).
@Suite struct MergeRetryTests {
    @Test func aFailedMergeIsRetriedWithTheSameObjectsUntilItSucceeds() throws {
        let rig = try MergeRig()
        defer { rig.remove() }
        let clock = VirtualClock(startMillis: 1_000_000)
        let blocker = rig.history.path(for: "class-3.gz")
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: blocker + "/in-the-way", contents: Data()))
        let queue = MergeQueue(merger: try rig.merger(), coalesceMillis: 0, clock: clock)
        defer { queue.stop() }

        queue.enqueue(try rig.deliver("a.gz", [(racer: 1, classId: 3, second: 1, output: "60.5")]))
        let failure = try #require(queue.drain().first)
        #expect(failure.hasPrefix("merge of 1 object failing for 0 s after 1 attempt: cannot "))
        #expect(failure.contains(blocker))
        #expect(queue.status.attempts == 1)
        #expect(queue.status.retryAtMillis == 1_001_000)
        #expect(try rig.store.mergedObjectKeys().isEmpty)

        // Newer objects wait behind the failing merge.
        queue.enqueue(try rig.deliver("b.gz", [(racer: 2, classId: 3, second: 2, output: "70")]))
        clock.advance(byMillis: 999)
        #expect(queue.drain().count == 1)
        #expect(queue.status.attempts == 1)
        clock.advance(byMillis: 1)
        #expect(queue.drain().count == 1)
        #expect(queue.status.attempts == 2)
        #expect(queue.status.retryAtMillis == 1_003_000)

        try FileManager.default.removeItem(atPath: blocker)
        clock.advance(byMillis: 2000)
        #expect(queue.drain() == [])
        #expect(!queue.status.isFailing)
        #expect(queue.status.recoveries == 1)
        #expect(queue.status.totalFailures == 2)
        #expect(queue.mergeCount == 2)
        #expect(try rig.store.mergedObjectKeys() == ["a.gz", "b.gz"])
        #expect(try rig.historyJSON(3) == ["1": ["1": 60.5], "2": ["2": 70]])
        #expect(try rig.store.result(raceId: 5_666_666, classId: 3, racerId: 1)?.totalOutput == 60.5)
    }
}
