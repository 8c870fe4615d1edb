import Foundation
import RaceModel
import StreamReading
import Testing
@testable import KinesisStream

/// SplitShard, MergeShards and UpdateShardCount on the embedded stream: lineage, closed
/// parents, records routed to the children, and readers that see every partition key's
/// records once and in order across the reshards.
@Suite struct ReshardingTests {
    static let half: UInt128 = 1 << 127

    func describe(_ stream: KinesisStream) -> [String] {
        stream.listShards().map { shard in
            var line = "\(shard.shardId) \(shard.hashKeyRange)"
            if let parent = shard.parentShardId { line += " parent \(parent.index)" }
            if let adjacent = shard.adjacentParentShardId { line += "+\(adjacent.index)" }
            if let ending = shard.endingSequenceNumber { line += " closed at \(ending.counter)" }
            return line
        }
    }

    /// Readers skip an unchanged stream by its change count: it moves with every put that
    /// stored records and every reshard, not with a put refused whole.
    @Test func theChangeCountMovesWhenRecordsOrShardsDo() throws {
        let clock = VirtualClock(startMillis: 1_000)
        let stream = KinesisStream(shardCount: 1, limits: ShardLimits(recordsPerSecond: 2), clock: clock)
        #expect(stream.changeCount == 0)
        _ = try stream.putRecords([entry("a"), entry("b")])
        #expect(stream.changeCount == 1)
        let refused = try stream.putRecords([entry("c")])
        #expect(refused.failedPutCount == 1)
        #expect(stream.changeCount == 1)
        _ = try stream.splitShard(ShardID(index: 0), newStartingHashKey: Self.half)
        #expect(stream.changeCount == 2)
        #expect(EmbeddedSource(stream: stream).changeCount == 2)
    }

    @Test func aSplitClosesTheParentAndItsRecordsGoToTheChildren() throws {
        let clock = VirtualClock(startMillis: 1_000)
        let stream = KinesisStream(shardCount: 1, clock: clock)
        _ = try stream.putRecords([entry("before-1"), entry("before-2")])
        clock.advance(toMillis: 2_000)
        let result = try stream.splitShard(ShardID(index: 0), newStartingHashKey: Self.half)
        #expect(result == ReshardResult(closed: [ShardID(index: 0)], created: [ShardID(index: 1), ShardID(index: 2)], openBefore: 1, openAfter: 2))
        #expect(describe(stream) == [
            "shardId-000000000000 0...340282366920938463463374607431768211455 closed at 2",
            "shardId-000000000001 0...170141183460469231731687303715884105727 parent 0",
            "shardId-000000000002 170141183460469231731687303715884105728...340282366920938463463374607431768211455 parent 0",
        ])
        #expect(stream.listShards().map(\.createdMillis) == [0, 2_000, 2_000])
        #expect(stream.listShards().map(\.closedMillis) == [2_000, nil, nil])
        #expect(stream.shardCount == 3 && stream.openShardCount == 2)
        // Explicit hash keys either side of the split land on the two children.
        let after = try stream.putRecords([entry("low", explicit: "0"), entry("high", explicit: String(Self.half))])
        #expect(after.records == [
            .accepted(shardId: ShardID(index: 1), sequenceNumber: SequenceNumber(shardIndex: 1, counter: 1)),
            .accepted(shardId: ShardID(index: 2), sequenceNumber: SequenceNumber(shardIndex: 2, counter: 1)),
        ])
        // The parent reads to its end, then answers no next iterator and names its children.
        let parent = try stream.getRecords(stream.shardIterator(shardId: ShardID(index: 0), type: .trimHorizon))
        #expect(parent.records.map { String(decoding: Array($0.data), as: UTF8.self) } == ["before-1", "before-2"])
        #expect(parent.nextShardIterator == nil)
        #expect(parent.childShards == [
            ChildShard(shardId: ShardID(index: 1), parentShards: [ShardID(index: 0)], hashKeyRange: stream.listShards()[1].hashKeyRange),
            ChildShard(shardId: ShardID(index: 2), parentShards: [ShardID(index: 0)], hashKeyRange: stream.listShards()[2].hashKeyRange),
        ])
        // LATEST on a closed shard is its end at once.
        let latest = try stream.getRecords(stream.shardIterator(shardId: ShardID(index: 0), type: .latest))
        #expect(latest.records.isEmpty && latest.nextShardIterator == nil)
        // A closed shard cannot be split again; a key outside the range is refused.
        #expect(validationMessage { _ = try stream.splitShard(ShardID(index: 0), newStartingHashKey: 5) }
            == "InvalidArgumentException: Shard shardId-000000000000 in stream alleycat has already been merged or split, and thus is not eligible for merging or splitting: ListShards with ShardFilter AT_LATEST gives the open shards")
        #expect(validationMessage { _ = try stream.splitShard(ShardID(index: 1), newStartingHashKey: 0) }
            == "InvalidArgumentException: NewStartingHashKey 0 used in SplitShard() on shard shardId-000000000001 in stream alleycat is not both greater than the shard's StartingHashKey 0 and at most its EndingHashKey 170141183460469231731687303715884105727")
        #expect(validationMessage { _ = try stream.splitShard(ShardID(index: 7), newStartingHashKey: 1) }
            == "ResourceNotFoundException: Shard shardId-000000000007 in stream alleycat does not exist (the stream has 3 shards)")
    }

    @Test func aMergeTakesTwoAdjacentOpenShards() throws {
        let clock = VirtualClock(startMillis: 0)
        let stream = KinesisStream(shardCount: 3, clock: clock)
        #expect(validationMessage { _ = try stream.mergeShards(ShardID(index: 0), ShardID(index: 2)) }
            == "InvalidArgumentException: Shards shardId-000000000000 and shardId-000000000002 in stream alleycat are not an adjacent pair of shards eligible for merging: their hash key ranges (0...113427455640312821154458202477256070484 and 226854911280625642308916404954512140970...340282366920938463463374607431768211455) must touch")
        // Named the other way round, the child's range is still the two together.
        let merged = try stream.mergeShards(ShardID(index: 2), ShardID(index: 1))
        #expect(merged.created == [ShardID(index: 3)] && merged.openAfter == 2)
        #expect(describe(stream).last == "shardId-000000000003 113427455640312821154458202477256070485...340282366920938463463374607431768211455 parent 2+1")
        let children = try stream.getRecords(stream.shardIterator(shardId: ShardID(index: 1), type: .trimHorizon)).childShards
        #expect(children.map(\.parentShards) == [[ShardID(index: 2), ShardID(index: 1)]])
    }

    /// 1 → 4 → 2 → 3: the open shards split the key space evenly each time, and no
    /// shard has more than two parents.
    @Test func aNewShardCountSplitsTheKeySpaceEvenly() throws {
        let stream = KinesisStream(shardCount: 1, clock: VirtualClock(startMillis: 0))
        for target in [4, 2, 3, 1, 2] {
            _ = try stream.updateShardCount(target)
            let open = stream.listShards().filter(\.isOpen).sorted { $0.hashKeyRange.startingHashKey < $1.hashKeyRange.startingHashKey }
            #expect(open.map(\.hashKeyRange) == HashKeyRange.evenSplit(into: target), "to \(target)")
        }
        // 4 from 1: three splits; 2 from 4: two merges; 3 from 2: splits at 1/3 and 2/3, then merges.
        let shards = stream.listShards()
        #expect(shards.filter { $0.parentShardId != nil }.allSatisfy { [$0.parentShardId, $0.adjacentParentShardId].compactMap { $0 }.count <= 2 })
        #expect(stream.openShardCount == 2)
        let first = try stream.updateShardCount(2)
        #expect(first.created == [] && first.closed == [] && first.openBefore == 2 && first.openAfter == 2)
    }

    /// Records of 20 partition keys, put around three reshards, read back through the
    /// reading seam by a consumer that follows lineage: each key's records come once
    /// and in the order they were put.
    @Test func aReaderSeesEveryKeyInOrderAcrossReshards() throws {
        let clock = VirtualClock(startMillis: 0)
        let stream = KinesisStream(shardCount: 1, clock: clock)
        let source = EmbeddedSource(stream: stream)
        let reader = try StreamReader(name: "firehose", source: source, checkpoints: source, now: { clock.nowMillis() })
        var read: [String] = []
        func put(_ round: Int) throws {
            clock.advance(byMillis: 1000)
            let response = try stream.putRecords((0..<20).map { entry("\(round)", key: "racer-\($0)") })
            #expect(response.failedPutCount == 0)
        }
        func drain() {
            for _ in 0..<10 { read += reader.poll().map { "\($0.partitionKey)=\(String(decoding: Array($0.data), as: UTF8.self))" } }
        }
        try put(0)
        drain()
        try put(1)
        _ = try stream.updateShardCount(4)
        try put(2)
        try put(3)
        _ = try stream.updateShardCount(2)
        try put(4)
        _ = try stream.splitShard(stream.listShards().first { $0.isOpen }!.shardId, newStartingHashKey: 12345)
        try put(5)
        drain()
        #expect(read.count == 120)
        for key in 0..<20 {
            #expect(read.filter { $0.hasPrefix("racer-\(key)=") } == (0..<6).map { "racer-\(key)=\($0)" }, "racer-\(key)")
        }
        #expect(Set(reader.shardIds) == Set(stream.listShards().filter(\.isOpen).map(\.shardId.description)))
    }

    /// A durable stream keeps its shards in stream/shards.json: after a restart the closed
    /// parents still read to their end and records go to the same open shards.
    @Test func aDurableStreamKeepsItsShardsAcrossARestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reshard-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = VirtualClock(startMillis: 5_000)
        do {
            let stream = try KinesisStream.durable(directory: directory, shardCount: 2, clock: clock)
            _ = try stream.putRecords([entry("a", key: "a"), entry("b", key: "b")])
            clock.advance(toMillis: 6_000)
            _ = try stream.updateShardCount(1)
            _ = try stream.putRecord(entry("after", key: "a"))
        }
        var lines: [String] = []
        let reopened = try KinesisStream.durable(directory: directory, shardCount: 2, clock: clock, report: { lines.append($0) })
        #expect(lines == ["stream log \(directory): 3 record(s) and 0 checkpoint(s) from 1 segment(s); 3 shard(s), 1 open, as resharded over the API (--shards 2 applies to a new stream only)"])
        #expect(describe(reopened) == [
            "shardId-000000000000 0...170141183460469231731687303715884105727 closed at 1",
            "shardId-000000000001 170141183460469231731687303715884105728...340282366920938463463374607431768211455 closed at 1",
            "shardId-000000000002 0...340282366920938463463374607431768211455 parent 0+1",
        ])
        #expect(reopened.listShards().map(\.closedMillis) == [6_000, 6_000, nil])
        let merged = try reopened.getRecords(reopened.shardIterator(shardId: ShardID(index: 2), type: .trimHorizon))
        #expect(merged.records.map(\.sequenceNumber.description) == ["1000002000000000000000001"])
        #expect(try reopened.putRecord(entry("next", key: "b")).sequenceNumber.description == "1000002000000000000000002")
        let parent = try reopened.getRecords(reopened.shardIterator(shardId: ShardID(index: 1), type: .trimHorizon))
        #expect(parent.records.map(\.partitionKey) == ["b"] && parent.nextShardIterator == nil)
        // A damaged shards file is refused with what to do, not guessed around.
        try Data("[{".utf8).write(to: URL(fileURLWithPath: directory + "/shards.json"))
        #expect(throws: StreamLogError.self) { try KinesisStream.durable(directory: directory, shardCount: 2, clock: clock) }
    }
}
