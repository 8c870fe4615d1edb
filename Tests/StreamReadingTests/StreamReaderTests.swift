import StreamReading
import Synchronization
import Testing

/// A source with a fixed set of shards and records, to drive the reader through
/// resharding (a closed parent and its children), throttling and expired iterators.
private final class ScriptedSource: StreamSource, CheckpointStore {
    struct Script {
        var shards: [SourceShard]
        var records: [String: [String]]
        /// Reads answered `.throttled` (then `.expiredIterator`) before the next works.
        var throttleNext = 0
        var expireNext = 0
        var calls: [String] = []
        var saved: [String: [String: RecordSequence]] = [:]
        /// What `changeCount` answers (nil: the source cannot tell).
        var change: UInt64?
    }

    let script: Mutex<Script>

    init(_ script: Script) {
        self.script = Mutex(script)
    }

    var sourceName: String { "scripted" }
    var minimumReadIntervalMillis: Int64 { 200 }
    var maximumReadLimit: Int { 2 }
    var changeCount: UInt64? { script.withLock { $0.change } }

    func listShards() throws(SourceError) -> [SourceShard] {
        script.withLock { script in
            script.calls.append("list")
            return script.shards
        }
    }

    func iterator(shardId: String, start: StartPosition) throws(SourceError) -> SourceIterator {
        script.withLock { script in
            script.calls.append("iterator \(shardId) \(start)")
            let index: Int
            switch start {
            case .trimHorizon: index = 0
            case .latest: index = script.records[shardId]!.count
            case let .afterSequenceNumber(sequence): index = Int(sequence.value! % 1000)
            case let .atSequenceNumber(sequence): index = Int(sequence.value! % 1000) - 1
            case .atTimestamp: index = 0
            }
            return SourceIterator(shardId: shardId, token: String(index))
        }
    }

    func read(_ iterator: SourceIterator, limit: Int) throws(SourceError) -> SourceBatch {
        let result: Result<SourceBatch, SourceError> = script.withLock { script in
            script.calls.append("read \(iterator.shardId)@\(iterator.token)")
            if script.throttleNext > 0 {
                script.throttleNext -= 1
                return .failure(.throttled("slow down"))
            }
            if script.expireNext > 0 {
                script.expireNext -= 1
                return .failure(.expiredIterator("too old"))
            }
            let all = script.records[iterator.shardId]!
            let start = Int(iterator.token)!
            let end = min(all.count, start + limit)
            let shardNumber = UInt128(iterator.shardId.suffix(1))!
            let records = (start..<end).map { index in
                StreamRecord(
                    shardId: iterator.shardId, sequenceNumber: RecordSequence(shardNumber * 1000 + UInt128(index + 1)),
                    approximateArrivalMillis: 0, partitionKey: "k", data: RecordData(Array(all[index].utf8)))
            }
            let closed = script.shards.first { $0.shardId == iterator.shardId }!.isClosed
            let next = closed && end == all.count ? nil : SourceIterator(shardId: iterator.shardId, token: String(end))
            return .success(SourceBatch(records: records, next: next, millisBehindLatest: Int64(all.count - end) * 1000))
        }
        return try result.get()
    }

    func checkpoints(consumer: String) throws(SourceError) -> [String: RecordSequence] {
        script.withLock { $0.saved[consumer] ?? [:] }
    }

    func save(consumer: String, _ positions: [String: RecordSequence]) throws(SourceError) {
        script.withLock { script in
            for (shard, sequence) in positions { script.saved[consumer, default: [:]][shard] = sequence }
        }
    }
}

@Suite struct StreamReaderTests {
    private func texts(_ records: [StreamRecord]) -> [String] {
        records.map { String(decoding: $0.data.bytes, as: UTF8.self) }
    }

    /// Shard 0 was split into shards 1 and 2: they are read only once shard 0 is read to its end.
    private func resharded() -> ScriptedSource {
        ScriptedSource(.init(
            shards: [
                SourceShard(shardId: "shard-0", startingSequenceNumber: RecordSequence(1), endingSequenceNumber: RecordSequence(3)),
                SourceShard(shardId: "shard-1", parentShardId: "shard-0", startingSequenceNumber: RecordSequence(1001)),
                SourceShard(shardId: "shard-2", parentShardId: "shard-0", startingSequenceNumber: RecordSequence(2001)),
            ],
            records: ["shard-0": ["p1", "p2", "p3"], "shard-1": ["a1", "a2"], "shard-2": ["b1"]]))
    }

    @Test func childrenAreReadAfterTheirParentWithinTheReadLimit() throws {
        let source = resharded()
        let now = Mutex<Int64>(0)
        let reader = try StreamReader(
            name: "firehose", source: source, checkpoints: source, start: .atTimestamp(millis: 5), now: { now.withLock { $0 } })
        #expect(reader.shardIds == ["shard-0"])
        #expect(texts(reader.poll()) == ["p1", "p2"])  // the source's limit: two a read
        #expect(reader.millisBehindLatest == 1000)
        // 5 reads a second per shard: nothing is read again before 200 ms.
        #expect(reader.poll().isEmpty)
        now.withLock { $0 = 200 }
        #expect(texts(reader.poll()) == ["p3"])
        #expect(reader.shardIds == ["shard-1", "shard-2"])
        now.withLock { $0 = 400 }
        #expect(texts(reader.poll()) == ["a1", "a2", "b1"])
        // The children start at their beginning, not where the reader started.
        #expect(source.script.withLock { $0.calls.filter { $0.hasPrefix("iterator") } } == [
            "iterator shard-0 atTimestamp(millis: 5)", "iterator shard-1 trimHorizon", "iterator shard-2 trimHorizon",
        ])
    }

    /// A worker's reader reads only its leased shards, each from the checkpoint its last
    /// holder kept, and a child whose parent another worker finished; an unchanged
    /// assignment costs no call to the source.
    @Test func anAssignedReaderReadsOnlyItsShardsFromTheirCheckpoints() throws {
        let source = resharded()
        let reader = try StreamReader(name: "firehose", source: source, checkpoints: source, now: { 0 })
        source.script.withLock { $0.calls = [] }
        try reader.assign(["shard-2"], finishedElsewhere: ["shard-0"])
        #expect(reader.shardIds == ["shard-2"])
        #expect(source.script.withLock { $0.calls } == ["list", "iterator shard-2 trimHorizon"])
        try reader.assign(["shard-2"], finishedElsewhere: ["shard-0"])
        #expect(source.script.withLock { $0.calls.count } == 2)
        #expect(texts(reader.poll()) == ["b1"])

        // shard-1 comes to this worker after another read it up to its first record.
        try source.save(consumer: "firehose", ["shard-1": RecordSequence(1001)])
        source.script.withLock { $0.calls = [] }
        try reader.assign(["shard-1", "shard-2"], finishedElsewhere: [])
        #expect(reader.shardIds == ["shard-1", "shard-2"])
        #expect(source.script.withLock { $0.calls } == ["list", "iterator shard-1 afterSequenceNumber(1001)"])
        #expect(reader.takeEndedShards() == [])
        // Taken away again: its cursor stops.
        try reader.assign(["shard-2"], finishedElsewhere: [])
        #expect(reader.shardIds == ["shard-2"])
    }

    @Test func throttledReadsWaitAndExpiredIteratorsResumeAfterTheLastRecord() throws {
        let source = resharded()
        let now = Mutex<Int64>(0)
        let reader = try StreamReader(name: "firehose", source: source, checkpoints: source, start: .trimHorizon, now: { now.withLock { $0 } })
        #expect(texts(reader.poll()) == ["p1", "p2"])
        source.script.withLock { $0.throttleNext = 1 }
        now.withLock { $0 = 200 }
        #expect(reader.poll().isEmpty)
        #expect(reader.lastError == .throttled("slow down"))
        // A throttled shard waits a whole second.
        now.withLock { $0 = 1000 }
        #expect(reader.poll().isEmpty)
        source.script.withLock { $0.expireNext = 1 }
        now.withLock { $0 = 1200 }
        #expect(reader.poll().isEmpty)
        #expect(reader.lastError == .expiredIterator("too old"))
        now.withLock { $0 = 1400 }
        #expect(texts(reader.poll()) == ["p3"])
        #expect(reader.lastError == nil)
        #expect(source.script.withLock { $0.calls.last(where: { $0.hasPrefix("iterator shard-0") }) } == "iterator shard-0 afterSequenceNumber(2)")
    }

    /// A source that says when it changed spares a reader that found every shard empty
    /// from asking each one again until the count moves or the shards are due to be listed.
    @Test func nothingIsReadAgainUntilTheSourceChanges() throws {
        let source = ScriptedSource(.init(
            shards: [
                SourceShard(shardId: "shard-1", startingSequenceNumber: RecordSequence(1001)),
                SourceShard(shardId: "shard-2", startingSequenceNumber: RecordSequence(2001)),
            ],
            records: ["shard-1": ["a1"], "shard-2": []], change: 1))
        let now = Mutex<Int64>(0)
        let reader = try StreamReader(name: "rankings", source: source, checkpoints: source, now: { now.withLock { $0 } })
        let reads = { source.script.withLock { $0.calls.filter { $0.hasPrefix("read") } } }
        let poll = { (millis: Int64) -> [String] in
            now.withLock { $0 = millis }
            return self.texts(reader.poll())
        }
        #expect(poll(0) == ["a1"])
        #expect(poll(200) == [])
        #expect(reads() == ["read shard-1@0", "read shard-2@0", "read shard-1@1", "read shard-2@0"])
        // Every shard was empty at count 1: no shard is asked while it holds.
        #expect(poll(400) == [] && poll(600) == [])
        #expect(reads().count == 4)
        source.script.withLock { script in
            script.records["shard-2"] = ["b1"]
            script.change = 2
        }
        #expect(poll(800) == ["b1"])
        #expect(poll(1000) == [] && poll(1200) == [])
        #expect(reads().count == 8)
        // Listing the shards again (every 10 s) reads them all whatever the count.
        #expect(poll(10_000) == [] && poll(10_200) == [] && poll(10_400) == [])
        #expect(reads().count == 12)
    }

    @Test func aCheckpointAtAClosedShardsEndStartsItsChildren() throws {
        let source = resharded()
        try source.save(consumer: "firehose", ["shard-0": RecordSequence(3), "shard-1": RecordSequence(1001)])
        let reader = try StreamReader(name: "firehose", source: source, checkpoints: source, now: { 0 })
        #expect(reader.shardIds == ["shard-1", "shard-2"])
        #expect(texts(reader.poll()) == ["a2", "b1"])
        try reader.checkpoint(["shard-1": RecordSequence(1002)])
        #expect(try source.checkpoints(consumer: "firehose") == [
            "shard-0": RecordSequence(3), "shard-1": RecordSequence(1002),
        ])
    }
}
