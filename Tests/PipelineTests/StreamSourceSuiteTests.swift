import AWSClient
import Foundation
import KinesisAPI
import KinesisClient
import SigV4
import KinesisStream
import Pipeline
import RaceModel
import StreamReading
import Testing

/// One suite for both implementations of the reading seam: the embedded stream, and
/// the Kinesis API client reading a running `alleycat serve` over loopback. Both hold
/// their records in small (2 KiB) segments, so reads cross segment boundaries, and
/// both read from the files (the embedded one with no cache, the served one after a restart).
@Suite(.serialized) struct StreamSourceSuiteTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case embedded, kinesisClient
        var testDescription: String { rawValue }
    }

    /// A source to read, a way to put records into it, and a restart.
    final class Rig {
        let kind: Kind
        let directory = temporaryDirectory("seam")
        private(set) var source: any StreamSource
        let checkpoints: any CheckpointStore
        private var stream: KinesisStream?
        private var serve: ServeProcess?
        private var key = ""
        private var secret = ""
        let clock = VirtualClock(startMillis: 1_764_000_000_000)

        init(_ kind: Kind) throws {
            self.kind = kind
            switch kind {
            case .embedded:
                let stream = try Self.openStream(directory + "/stream", clock: clock)
                self.stream = stream
                let embedded = EmbeddedSource(stream: stream)
                (source, checkpoints) = (embedded, embedded)
            case .kinesisClient:
                (key, secret) = try createSigningKey("seam", data: directory)
                let serve = try ServeProcess(["--data", directory, "--shards", "2", "--stream-segment-kb", "2", "--stream-cache-mb", "0"])
                self.serve = serve
                source = try Self.client(serve.endpoint, key: key, secret: secret)
                checkpoints = try FileCheckpointStore(directory: directory + "/reader-checkpoints", sourceName: "seam-test")
            }
        }

        private static func openStream(_ path: String, clock: VirtualClock) throws -> KinesisStream {
            try KinesisStream.durable(directory: path, shardCount: 2, segmentBytes: 2048, cacheBytes: 0, clock: clock)
        }

        private static func client(_ endpoint: String, key: String, secret: String) throws -> KinesisClient {
            let configuration = try AWSConfiguration(
                credentials: AWSCredentials(accessKeyId: key, secretAccessKey: secret), region: "us-east-1", endpoint: endpoint)
            return KinesisClient(configuration: configuration, streamName: "alleycat")
        }

        /// Puts `texts` in one call; "a…" keys land on shard 0, "b…" on shard 1 (MD5).
        func put(_ texts: [String]) throws {
            let entries = texts.map { PutRecordsRequestEntry(data: Array($0.utf8), partitionKey: String($0.prefix(1))) }
            switch kind {
            case .embedded:
                clock.advance(byMillis: 1000)
                #expect(try stream!.putRecords(entries).failedPutCount == 0)
            case .kinesisClient:
                let answer = try (source as! KinesisClient).call(
                    action: "PutRecords", body: PutRecordsCall.requestBody(streamName: "alleycat", entries: entries))
                #expect(try PutRecordsCall.response(answer).failedPutCount == 0)
            }
        }

        /// UpdateShardCount to `target` open shards: on the stream, or over the API of the node.
        func reshard(_ target: Int) throws {
            switch kind {
            case .embedded:
                _ = try stream!.updateShardCount(target)
            case .kinesisClient:
                _ = try (source as! KinesisClient).call(
                    action: "UpdateShardCount", body: Array(#"{"StreamName":"alleycat","TargetShardCount":\#(target),"ScalingType":"UNIFORM_SCALING"}"#.utf8))
            }
        }

        func restart() throws {
            switch kind {
            case .embedded:
                stream = nil
                let stream = try Self.openStream(directory + "/stream", clock: clock)
                self.stream = stream
                source = EmbeddedSource(stream: stream)
            case .kinesisClient:
                #expect(serve!.stop() == 0)
                (source as! KinesisClient).shutdown()
                let serve = try ServeProcess(["--data", directory, "--shards", "2", "--stream-segment-kb", "2", "--stream-cache-mb", "0"])
                self.serve = serve
                source = try Self.client(serve.endpoint, key: key, secret: secret)
            }
        }

        func close() {
            (source as? KinesisClient)?.shutdown()
            _ = serve?.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }

        /// Reads one shard from `start` until `count` records came or it is caught up
        /// (or 30 s passed: the client keeps Kinesis's 5 reads a second per shard).
        func read(_ shard: String, _ start: StartPosition, count: Int) throws -> [StreamRecord] {
            var iterator: SourceIterator? = try source.iterator(shardId: shard, start: start)
            var records: [StreamRecord] = []
            let deadline = Date().addingTimeInterval(30)
            while records.count < count, let current = iterator, Date() < deadline {
                let batch = try source.read(current, limit: min(count - records.count, 7))
                records += batch.records
                iterator = batch.next
                if batch.records.isEmpty && batch.millisBehindLatest == 0 { break }
                usleep(UInt32(source.minimumReadIntervalMillis * 1000))
            }
            return records
        }
    }

    private func texts(_ records: [StreamRecord]) -> [String] {
        records.map { String(decoding: $0.data.bytes, as: UTF8.self) }
    }

    /// 30 calls of 3 records for shard 0 and 2 for shard 1: 90 + 60 records over many segments.
    private func load(_ rig: Rig) throws {
        for call in 0..<30 {
            try rig.put(["a\(call).0", "b\(call).0", "a\(call).1", "b\(call).1", "a\(call).2"])
        }
    }

    private var shard0: [String] { (0..<30).flatMap { call in (0..<3).map { "a\(call).\($0)" } } }
    private var shard1: [String] { (0..<30).flatMap { call in (0..<2).map { "b\(call).\($0)" } } }

    @Test(.timeLimit(.minutes(2)), arguments: Kind.allCases) func everyIteratorTypeAcrossSegmentBoundaries(kind: Kind) throws {
        let rig = try Rig(kind)
        defer { rig.close() }
        try load(rig)
        #expect(try rig.source.listShards().map(\.shardId) == ["shardId-000000000000", "shardId-000000000001"])
        let all = try rig.read("shardId-000000000000", .trimHorizon, count: 90)
        #expect(texts(all) == shard0)
        #expect(texts(try rig.read("shardId-000000000001", .trimHorizon, count: 60)) == shard1)
        // Sequence numbers increase, compared as numbers.
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.sequenceNumber < $1.sequenceNumber })
        let middle = all[47]
        #expect(texts(try rig.read("shardId-000000000000", .atSequenceNumber(middle.sequenceNumber), count: 3)) == ["a15.2", "a16.0", "a16.1"])
        #expect(texts(try rig.read("shardId-000000000000", .afterSequenceNumber(middle.sequenceNumber), count: 2)) == ["a16.0", "a16.1"])
        // AT_TIMESTAMP: from the first record that arrived at or after that time.
        let fromTime = try rig.read("shardId-000000000000", .atTimestamp(millis: middle.approximateArrivalMillis), count: .max)
        #expect(fromTime.first.map { $0.approximateArrivalMillis <= middle.approximateArrivalMillis } == true)
        #expect(fromTime.allSatisfy { $0.approximateArrivalMillis >= middle.approximateArrivalMillis })
        #expect(texts(fromTime).last == "a29.2")
        #expect(Set(texts(fromTime)).isSuperset(of: shard0[48...]))
        // LATEST: nothing until a record comes after it.
        let latest = try rig.source.iterator(shardId: "shardId-000000000000", start: .latest)
        #expect(try rig.source.read(latest, limit: 10).records.isEmpty)
        try rig.put(["a-late"])
        var late: [StreamRecord] = []
        var iterator = latest
        let deadline = Date().addingTimeInterval(10)
        while late.isEmpty && Date() < deadline {
            usleep(UInt32(rig.source.minimumReadIntervalMillis * 1000))
            let batch = try rig.source.read(iterator, limit: 10)
            late = batch.records
            iterator = batch.next ?? iterator
        }
        #expect(texts(late) == ["a-late"])
    }

    @Test(.timeLimit(.minutes(2)), arguments: Kind.allCases) func aReaderResumesAfterItsCheckpointAcrossARestart(kind: Kind) throws {
        let rig = try Rig(kind)
        defer { rig.close() }
        try load(rig)
        var firstRun: [StreamRecord] = []
        do {
            let reader = try StreamReader(name: "firehose", source: rig.source, checkpoints: rig.checkpoints, now: { Int64(Date().timeIntervalSince1970 * 1000) })
            let deadline = Date().addingTimeInterval(30)
            while firstRun.count < 150 && Date() < deadline {
                firstRun += reader.poll(limitPerShard: 20)
                usleep(50_000)
            }
            #expect(firstRun.count == 150)
            // Done with the first 40 of shard 0 and the first 10 of shard 1.
            let done0 = firstRun.filter { $0.shardId == "shardId-000000000000" }[39]
            let done1 = firstRun.filter { $0.shardId == "shardId-000000000001" }[9]
            try reader.checkpoint(["shardId-000000000000": done0.sequenceNumber, "shardId-000000000001": done1.sequenceNumber])
        }
        try rig.restart()
        try rig.put(["a-after", "b-after"])
        let reader = try StreamReader(name: "firehose", source: rig.source, checkpoints: rig.checkpoints, now: { Int64(Date().timeIntervalSince1970 * 1000) })
        var resumed: [StreamRecord] = []
        let deadline = Date().addingTimeInterval(30)
        while resumed.count < 102 && Date() < deadline {
            resumed += reader.poll()
            usleep(50_000)
        }
        #expect(texts(resumed.filter { $0.shardId == "shardId-000000000000" }) == Array(shard0[40...]) + ["a-after"])
        #expect(texts(resumed.filter { $0.shardId == "shardId-000000000001" }) == Array(shard1[10...]) + ["b-after"])
        // The same records, with the same sequence numbers, as before the restart.
        let before = Dictionary(uniqueKeysWithValues: firstRun.map { (texts([$0])[0], $0.sequenceNumber) })
        #expect(resumed.filter { !texts([$0])[0].hasSuffix("after") }.allSatisfy { before[texts([$0])[0]] == $0.sequenceNumber })
    }

    /// A reader that follows lineage, across 2 → 4 → 2 shards while it reads: every record
    /// once, each partition key's in the order put.
    @Test(.timeLimit(.minutes(2)), arguments: Kind.allCases) func aReaderFollowsTheLineageOfAReshard(kind: Kind) throws {
        let rig = try Rig(kind)
        defer { rig.close() }
        let reader = try StreamReader(name: "firehose", source: rig.source, checkpoints: rig.checkpoints, now: { Int64(Date().timeIntervalSince1970 * 1000) })
        var read: [StreamRecord] = []
        func drain(until count: Int) {
            let deadline = Date().addingTimeInterval(30)
            while read.count < count && Date() < deadline {
                read += reader.poll()
                usleep(50_000)
            }
        }
        try rig.put(["a0", "b0", "a1"])
        drain(until: 2)
        try rig.reshard(4)
        try rig.put(["a2", "b1", "a3"])
        try rig.reshard(2)
        try rig.put(["b2", "a4"])
        drain(until: 8)
        #expect(read.count == 8)
        #expect(texts(read.filter { $0.partitionKey == "a" }) == ["a0", "a1", "a2", "a3", "a4"])
        #expect(texts(read.filter { $0.partitionKey == "b" }) == ["b0", "b1", "b2"])
        let shards = try rig.source.listShards()
        #expect(shards.count == 8 && shards.filter { !$0.isClosed }.count == 2)
        #expect(shards.filter { $0.parentShardId != nil }.allSatisfy { $0.parents.count <= 2 })
    }
}
