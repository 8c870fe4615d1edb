import Testing

@testable import Leases

/// The lease taker's decisions on their own, on a virtual clock.
struct LeasePlannerTests {
    static func leases(_ owners: [String?]) -> [Lease] {
        owners.enumerated().map { Lease(leaseKey: "shardId-00\($0.offset)", leaseOwner: $0.element, leaseCounter: 1) }
    }

    static func plan(_ leases: [Lease], _ worker: String, sightings: [String: LeaseSighting] = [:], now: Int64 = 0) -> LeasePlanner.Plan {
        LeasePlanner.plan(leases, worker: worker, sightings: sightings, now: now, leaseDurationMillis: 6_000)
    }

    @Test func aLoneWorkerTakesEveryFreeLease() {
        let plan = Self.plan(Self.leases([nil, nil, nil]), "w1")
        #expect(plan.take.map(\.leaseKey) == ["shardId-000", "shardId-001", "shardId-002"])
        #expect(plan.steal == nil)
        #expect(plan.target == 3)
        #expect(plan.workers == ["w1"])
    }

    @Test func aJoiningWorkerStealsOneAtATimeUntilTheSharesAreEven() {
        // 8 leases on two workers; a third joins and aims at ceil(8 / 3) = 3.
        var owners: [String?] = Array(repeating: "w1", count: 4) + Array(repeating: "w2", count: 4)
        var steals: [String] = []
        while let stolen = Self.plan(Self.leases(owners), "w3").steal {
            steals.append(stolen.leaseKey)
            owners[Int(stolen.leaseKey.suffix(1))!] = "w3"
        }
        // w1 and w2 hold 4 each: the first by name is robbed first, of its last lease.
        #expect(steals == ["shardId-003", "shardId-007"])
        // 3, 3, 2: the worker at 2 needs one, and nobody holds more than the target of 3.
        #expect(owners.filter { $0 == "w1" }.count == 3)
        #expect(owners.filter { $0 == "w2" }.count == 3)
        #expect(owners.filter { $0 == "w3" }.count == 2)
        #expect(Self.plan(Self.leases(owners), "w1").take.isEmpty)
        #expect(Self.plan(Self.leases(owners), "w1").steal == nil)
    }

    @Test func aLeaseExpiresWhenItsCounterStandsStillForTheLeaseDuration() {
        let leases = Self.leases(["dead", "dead"])
        var sightings: [String: LeaseSighting] = [:]
        LeasePlanner.observe(leases, at: 1_000, into: &sightings)
        #expect(sightings["shardId-000"] == LeaseSighting(counter: 1, sinceMillis: 1_000))
        // Not yet: 6 s have not passed since the counter was first seen.
        #expect(Self.plan(leases, "w1", sightings: sightings, now: 7_000).take.isEmpty)
        #expect(Self.plan(leases, "w1", sightings: sightings, now: 7_000).steal?.leaseKey == "shardId-001")
        #expect(Self.plan(leases, "w1", sightings: sightings, now: 7_001).take.map(\.leaseKey) == ["shardId-000", "shardId-001"])
        // A counter that moved starts the wait again.
        var renewed = leases
        renewed[0].leaseCounter = 2
        LeasePlanner.observe(renewed, at: 7_001, into: &sightings)
        #expect(sightings["shardId-000"] == LeaseSighting(counter: 2, sinceMillis: 7_001))
        #expect(sightings["shardId-001"] == LeaseSighting(counter: 1, sinceMillis: 1_000))
        #expect(Self.plan(renewed, "w1", sightings: sightings, now: 7_002).take.map(\.leaseKey) == ["shardId-001"])
    }

    @Test func childrenWaitUntilEveryParentIsFinished() {
        var parent = Lease(leaseKey: "shardId-000", leaseCounter: 3)
        let left = Lease(leaseKey: "shardId-001", parentShardIds: ["shardId-000"])
        let merged = Lease(leaseKey: "shardId-002", parentShardIds: ["shardId-000", "shardId-009"])
        // shardId-009 has no lease (past retention), so it counts as finished.
        #expect(LeasePlanner.workable([parent, left, merged]).map(\.leaseKey) == ["shardId-000"])
        parent.checkpoint = Lease.shardEnd
        #expect(LeasePlanner.workable([parent, left, merged]).map(\.leaseKey) == ["shardId-001", "shardId-002"])
        #expect(Self.plan([parent, left, merged], "w1").take.map(\.leaseKey) == ["shardId-001", "shardId-002"])
    }

    @Test func theKCLItemIsWrittenAndReadBack() {
        let lease = Lease(
            leaseKey: "shardId-000000000004", leaseOwner: "worker-a", leaseCounter: 12, checkpoint: "49590338271490256608559692538361571095921575989136588898",
            ownerSwitchesSinceCheckpoint: 1, parentShardIds: ["shardId-000000000001", "shardId-000000000000"])
        #expect(
            lease.item == [
                "leaseKey": .string("shardId-000000000004"), "leaseOwner": .string("worker-a"), "leaseCounter": .number("12"),
                "checkpoint": .string("49590338271490256608559692538361571095921575989136588898"), "checkpointSubSequenceNumber": .number("0"),
                "ownerSwitchesSinceCheckpoint": .number("1"), "parentShardId": .stringSet(["shardId-000000000000", "shardId-000000000001"]),
            ])
        var sorted = lease
        sorted.parentShardIds.sort()
        #expect(Lease(item: lease.item) == sorted)
        #expect(Lease(item: ["leaseKey": .string("x")]) == nil)
        #expect(Lease(leaseKey: "a").item["leaseOwner"] == nil)
        #expect(Lease(leaseKey: "a").item["parentShardId"] == nil)
    }
}
