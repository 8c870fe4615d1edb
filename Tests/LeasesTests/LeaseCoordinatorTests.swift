import AWSClient
import AlleycatTesting
import StreamReading
import Testing

@testable import Leases

/// Workers sharing a lease table in a real DynamoDB (moto_server), on a virtual clock.
@Suite(.timeLimit(.minutes(3)))
struct LeaseCoordinatorTests {
    final class Fixture {
        let moto: MotoServer
        let dynamo: DynamoDBClient
        let table: LeaseTable

        init() throws {
            moto = try MotoServer.started()
            dynamo = DynamoDBClient(configuration: try moto.configuration(.dynamodb))
            table = LeaseTable(name: "race-leases", dynamo: dynamo)
            try table.createIfMissing(sleep: { _ in })
        }

        func worker(_ name: String) -> LeaseCoordinator { LeaseCoordinator(worker: name, table: table) }

        func owners() throws -> [String: String] {
            Dictionary(uniqueKeysWithValues: try table.list().map { ($0.leaseKey, $0.leaseOwner ?? "-") })
        }

        deinit {
            dynamo.shutdown()
            moto.stop()
        }
    }

    static func shards(_ count: Int) -> [SourceShard] {
        (0..<count).map { SourceShard(shardId: "shardId-00000000000\($0)", startingSequenceNumber: RecordSequence(UInt128($0))) }
    }

    static func counts(_ owners: [String: String]) -> [String: Int] {
        owners.values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    @Test func workersTakeRenewBalanceAndFailOver() throws {
        let fixture = try Fixture()
        // The table is created once; a second worker finds it.
        try fixture.table.createIfMissing(sleep: { _ in })
        let a = fixture.worker("worker-a")
        #expect(try a.syncShards(Self.shards(8)).count == 8)
        #expect(try fixture.worker("worker-b").syncShards(Self.shards(8)) == [])

        var now: Int64 = 1_000
        #expect(try a.tick(now: now).gained.count == 8)
        #expect(try Self.counts(fixture.owners()) == ["worker-a": 8])

        // Renewals move every counter; nothing is lost.
        now += 2_000
        #expect(try a.tick(now: now) == .init())
        #expect(try fixture.table.list().allSatisfy { $0.leaseCounter == 2 })

        // Two workers join; every pass each steals at most one, until the shares are 3, 3, 2.
        let b = fixture.worker("worker-b")
        let c = fixture.worker("worker-c")
        for _ in 0..<6 {
            now += 2_000
            for worker in [a, b, c] { _ = try worker.tick(now: now) }
        }
        #expect(try Self.counts(fixture.owners()).values.sorted() == [2, 3, 3])
        #expect(a.held.count + b.held.count + c.held.count == 8)
        #expect(Set(a.heldKeys).isDisjoint(with: b.heldKeys) && Set(b.heldKeys).isDisjoint(with: c.heldKeys))

        // worker-c dies (stops renewing); its leases are taken once 6 s pass with their counters still.
        let orphaned = Set(c.heldKeys)
        let diedAt = now
        var takenAt: Int64?
        while takenAt == nil {
            now += 1_000
            for worker in [a, b] { _ = try worker.tick(now: now) }
            if try fixture.owners().filter({ orphaned.contains($0.key) }).allSatisfy({ $0.value != "worker-c" }) { takenAt = now }
            #expect(now - diedAt <= 10_000)
            if now - diedAt > 10_000 { break }
        }
        #expect(try Self.counts(fixture.owners()) == ["worker-a": 4, "worker-b": 4])
        // worker-c comes back: its renewals fail their condition, so it knows it lost them;
        // then, as a worker with none, it steals one to balance.
        let back = try c.tick(now: now + 1)
        #expect(Set(back.lost) == orphaned)
        #expect(back.gained.count == 1)
        #expect(c.heldKeys == back.gained)
        #expect(try Self.counts(fixture.owners()).values.sorted() == [1, 3, 4])
    }

    @Test func aCheckpointMovesOnlyWhileTheLeaseIsHeld() throws {
        let fixture = try Fixture()
        let a = fixture.worker("worker-a")
        let b = fixture.worker("worker-b")
        try a.syncShards(Self.shards(2))
        _ = try a.tick(now: 0)
        #expect(try a.checkpoint("shardId-000000000000", at: "42"))
        #expect(try fixture.table.list()[0].checkpoint == "42")
        #expect(try fixture.table.list()[0].ownerSwitchesSinceCheckpoint == 0)

        // worker-b joins and steals one; worker-a's checkpoint of it now fails, and the table keeps b's.
        _ = try b.tick(now: 100)
        let stolen = try #require(b.heldKeys.first)
        #expect(try fixture.table.list().first { $0.leaseKey == stolen }?.ownerSwitchesSinceCheckpoint == 1)
        #expect(try !a.checkpoint(stolen, at: "99"))
        #expect(!a.heldKeys.contains(stolen))
        #expect(try fixture.table.list().first { $0.leaseKey == stolen }?.checkpoint != "99")
        #expect(try !b.checkpoint("shardId-not-held", at: "1"))
    }

    @Test func aGracefulStopHandsLeasesOverAtOnce() throws {
        let fixture = try Fixture()
        let a = fixture.worker("worker-a")
        let b = fixture.worker("worker-b")
        try a.syncShards(Self.shards(4))
        _ = try a.tick(now: 0)
        _ = try b.tick(now: 0)
        #expect(b.held.count == 1)  // stole one: target 2, and a held 4
        try a.releaseAll()
        #expect(a.held.isEmpty)
        #expect(try Self.counts(fixture.owners()) == ["-": 3, "worker-b": 1])
        // b's next pass (2 s later, long before any lease could expire) takes them all.
        #expect(try b.tick(now: 2_000).gained.count == 3)
        #expect(try Self.counts(fixture.owners()) == ["worker-b": 4])
    }

    /// A worker restarted under the same id finds the table giving it leases it does not
    /// hold: it takes them back at once, alone or not, instead of waiting for them to expire.
    @Test func aWorkerRestartedUnderItsIdTakesItsLeasesBackAtOnce() throws {
        let fixture = try Fixture()
        let before = fixture.worker("worker-a")
        try before.syncShards(Self.shards(2))
        #expect(try before.tick(now: 0).gained.count == 2)
        let after = fixture.worker("worker-a")
        #expect(try after.tick(now: 1).gained == ["shardId-000000000000", "shardId-000000000001"])
        #expect(try fixture.table.list().allSatisfy { $0.leaseOwner == "worker-a" && $0.leaseCounter == 2 && $0.ownerSwitchesSinceCheckpoint == 0 })
        // The old instance (a process that did not die after all) learns at its renewal.
        #expect(try Set(before.tick(now: 2_001).lost) == ["shardId-000000000000", "shardId-000000000001"])
    }

    @Test func childShardsAreLeasedOnlyAfterTheirParentsFinish() throws {
        let fixture = try Fixture()
        let a = fixture.worker("worker-a")
        let parent = SourceShard(shardId: "shardId-000000000000", startingSequenceNumber: RecordSequence(0), endingSequenceNumber: RecordSequence(99))
        let children = [1, 2].map {
            SourceShard(shardId: "shardId-00000000000\($0)", parentShardId: "shardId-000000000000", startingSequenceNumber: RecordSequence(UInt128($0 * 100)))
        }
        try a.syncShards([parent] + children)
        #expect(try fixture.table.list().map(\.parentShardIds) == [[], ["shardId-000000000000"], ["shardId-000000000000"]])
        #expect(try a.tick(now: 0).gained == ["shardId-000000000000"])
        #expect(try a.tick(now: 2_000).gained == [])
        #expect(try a.checkpoint("shardId-000000000000", at: Lease.shardEnd))
        let next = try a.tick(now: 4_000)
        #expect(next.gained == ["shardId-000000000001", "shardId-000000000002"])
        // A finished lease needs no holder: handed back, not renewed, kept in the table.
        let parentLease = try #require(try fixture.table.list().first)
        #expect(parentLease.isFinished && parentLease.leaseOwner == nil)
        #expect(a.heldKeys == ["shardId-000000000001", "shardId-000000000002"])
    }
}
