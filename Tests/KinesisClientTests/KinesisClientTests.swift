import AWSClient
import AlleycatTesting
import KinesisAPI
import KinesisStream
import KinesisWire
import SigV4
import StreamReading
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

@testable import KinesisClient

struct KinesisClientTests {
    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    @Test func hostAndPathOfAnEndpoint() {
        #expect(AWSHTTPClient.split("http://127.0.0.1:4567") == ("127.0.0.1:4567", "/"))
        #expect(AWSHTTPClient.split("https://kinesis.us-east-1.amazonaws.com:443") == ("kinesis.us-east-1.amazonaws.com", "/"))
        #expect(AWSHTTPClient.split("http://host:80/prefix") == ("host", "/prefix"))
        #expect(AWSHTTPClient.split("http://[::1]:4567") == ("[::1]:4567", "/"))
        #expect(AWSHTTPClient.split("http://[::1]") == ("[::1]", "/"))
    }

    @Test func namesAndLimits() throws {
        let client = KinesisClient(configuration: try AWSConfiguration(credentials: Self.credentials, region: "eu-west-1"), streamName: "alleycat")
        defer { client.shutdown() }
        #expect(client.sourceName == "https://kinesis.eu-west-1.amazonaws.com/alleycat")
        #expect(client.minimumReadIntervalMillis == 200)
        #expect(client.maximumReadLimit == 10_000)
        #expect(client.requestTimeoutMillis == 10_000)
    }

    @Test func nobodyListeningIsAFailureNamingTheEndpoint() throws {
        let endpoint = "http://127.0.0.1:\(try MotoServer.freePort())"
        // The pool retries a refused connection until the connect timeout (here 1 s), then reports the refusal.
        let client = KinesisClient(
            configuration: try AWSConfiguration(credentials: Self.credentials, endpoint: endpoint), streamName: "alleycat", requestTimeoutMillis: 1_000)
        defer { client.shutdown() }
        #expect {
            try client.listShards()
        } throws: { error in
            guard case let .failure(message) = error as? SourceError else { return false }
            return message.hasPrefix("ListShards at \(endpoint) got no answer: ") && message.contains("onnection refused")
                && message.hasSuffix("; check the endpoint (AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL or AWS_REGION) and that the service is running")
        }
    }

    @Test func aShutDownClientSaysSo() throws {
        let client = KinesisClient(configuration: try AWSConfiguration(credentials: Self.credentials, endpoint: "http://127.0.0.1:9"), streamName: "alleycat")
        client.shutdown()
        client.shutdown()
        #expect(throws: SourceError.failure(
            "DescribeStreamSummary at http://127.0.0.1:9 got no answer: this client is shut down; check the endpoint (AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL or AWS_REGION) and that the service is running")) {
            try client.call(action: "DescribeStreamSummary", body: Array("{}".utf8))
        }
    }

    @Test func aClosedShardsEndIsReadWithoutACall() throws {
        let client = KinesisClient(configuration: try AWSConfiguration(credentials: Self.credentials, endpoint: "http://127.0.0.1:9"), streamName: "alleycat")
        defer { client.shutdown() }
        let batch = try client.read(SourceIterator(shardId: "shardId-000000000000", token: ""), limit: 100)
        #expect(batch.records.isEmpty)
        #expect(batch.next == nil)
    }

    // MARK: - Against moto

    static let shard0 = "shardId-000000000000"
    static let shard1 = "shardId-000000000001"
    /// Explicit hash keys that land on the first and the second of two shards (not 2^128 - 1:
    /// moto 5 places no record there).
    static let lowHash = "0"
    static let highHash = "255211775190703847597530955573826158591"

    struct Put {
        var key: String
        var data: [UInt8]
        var hashKey: String
        var shardId = ""
        var sequence = RecordSequence(digits: "0")
    }

    /// A stream of two shards on a moto_server of its own: every start position, limits,
    /// LATEST seeing only later records, the errors, and a StreamReader over it all.
    @Test(.timeLimit(.minutes(3))) func readsBackWhatWasPutIntoMoto() throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        let client = try moto.client(streamName: "alleycat-client-test")
        defer { client.shutdown() }

        _ = try client.call(action: "CreateStream", body: Self.json { $0.key("StreamName"); $0.string(client.streamName); $0.key("ShardCount"); $0.integer(2) })
        try Self.waitUntilActive(client)

        let before = AWSHTTPClient.wallClockMillis()
        var early = try Self.put(client, [
            Put(key: "rider-1", data: [0x00, 0xFF, 0x10, 0x0A], hashKey: Self.lowHash),
            Put(key: "rider-2", data: Array(#"{"w":251}"#.utf8), hashKey: Self.highHash),
            Put(key: "rider-3", data: (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }, hashKey: Self.lowHash),
            Put(key: "ü-key", data: Array("second on shard 1".utf8), hashKey: Self.highHash),
        ])
        // A time strictly between the two batches, for AT_TIMESTAMP.
        usleep(5_000)
        let between = AWSHTTPClient.wallClockMillis()
        usleep(5_000)
        let late = try Self.put(client, [
            Put(key: "rider-4", data: Array("after the gap".utf8), hashKey: Self.lowHash),
            Put(key: "rider-5", data: Array("after the gap too".utf8), hashKey: Self.highHash),
        ])
        let after = AWSHTTPClient.wallClockMillis()
        early += late
        let onShard0 = early.filter { $0.shardId == Self.shard0 }
        let onShard1 = early.filter { $0.shardId == Self.shard1 }
        #expect(onShard0.map(\.key) == ["rider-1", "rider-3", "rider-4"])
        #expect(onShard1.map(\.key) == ["rider-2", "ü-key", "rider-5"])

        let shards = try client.listShards()
        #expect(shards.map(\.shardId) == [Self.shard0, Self.shard1])
        #expect(shards.allSatisfy { $0.parents.isEmpty && !$0.isClosed })

        // TRIM_HORIZON: everything, exactly.
        for (shardId, expected) in [(Self.shard0, onShard0), (Self.shard1, onShard1)] {
            let batch = try client.read(try client.iterator(shardId: shardId, start: .trimHorizon), limit: 100)
            Self.expect(batch.records, expected, shardId: shardId)
            #expect(batch.records.allSatisfy { $0.approximateArrivalMillis >= before - 1000 && $0.approximateArrivalMillis <= after + 1000 })
            #expect(batch.next?.shardId == shardId)
            #expect(batch.millisBehindLatest == 0)
            let rest = try client.read(try #require(batch.next), limit: 100)
            #expect(rest.records.isEmpty)
        }

        // A limit, then the next iterator carries on.
        let first = try client.read(try client.iterator(shardId: Self.shard0, start: .trimHorizon), limit: 1)
        Self.expect(first.records, Array(onShard0.prefix(1)), shardId: Self.shard0)
        Self.expect(try client.read(try #require(first.next), limit: 10).records, Array(onShard0.dropFirst()), shardId: Self.shard0)

        let middle = onShard0[1].sequence
        Self.expect(try client.read(try client.iterator(shardId: Self.shard0, start: .atSequenceNumber(middle)), limit: 100).records,
                    Array(onShard0.dropFirst()), shardId: Self.shard0)
        Self.expect(try client.read(try client.iterator(shardId: Self.shard0, start: .afterSequenceNumber(middle)), limit: 100).records,
                    Array(onShard0.dropFirst(2)), shardId: Self.shard0)
        Self.expect(try client.read(try client.iterator(shardId: Self.shard0, start: .atTimestamp(millis: between)), limit: 100).records,
                    [onShard0[2]], shardId: Self.shard0)
        Self.expect(try client.read(try client.iterator(shardId: Self.shard1, start: .atTimestamp(millis: between)), limit: 100).records,
                    [onShard1[2]], shardId: Self.shard1)

        // LATEST: only what comes after the iterator.
        let latest = try client.iterator(shardId: Self.shard1, start: .latest)
        let nothing = try client.read(latest, limit: 100)
        #expect(nothing.records.isEmpty)
        let newest = try Self.put(client, [Put(key: "rider-6", data: Array("newest".utf8), hashKey: Self.highHash)])
        let seen = try client.read(try #require(nothing.next), limit: 100)
        Self.expect(seen.records, newest, shardId: Self.shard1)
        #expect(try client.read(try #require(seen.next), limit: 100).records.isEmpty)

        // The reading seam over it: every record of both shards, once.
        let reader = try StreamReader(name: "test", source: client, checkpoints: MemoryCheckpoints(), start: .trimHorizon, now: AWSHTTPClient.wallClockMillis)
        var polled: [StreamRecord] = []
        let deadline = AWSHTTPClient.wallClockMillis() + 5_000
        while polled.count < 7 && AWSHTTPClient.wallClockMillis() < deadline {
            polled += reader.poll()
            usleep(20_000)
        }
        #expect(reader.lastError == nil)
        #expect(Set(polled.map { "\($0.shardId) \($0.sequenceNumber) \($0.partitionKey) \($0.data.bytes)" })
            == Set((early + newest).map { "\($0.shardId) \($0.sequence) \($0.key) \($0.data)" }))
        #expect(polled.count == 7)

        // What moto answers instead of records.
        #expect(throws: SourceError.notFound(
            "GetShardIterator at \(moto.endpoint) failed with ResourceNotFoundException (HTTP 400): Shard shardId-000000000009 in stream alleycat-client-test under account 123456789012 does not exist; check the stream name and the region (AWS_REGION)")) {
            try client.iterator(shardId: "shardId-000000000009", start: .trimHorizon)
        }
        let missing = KinesisClient(configuration: try AWSConfiguration(credentials: Self.credentials, endpoint: moto.endpoint), streamName: "nope")
        defer { missing.shutdown() }
        #expect(throws: SourceError.notFound(
            "ListShards at \(moto.endpoint) failed with ResourceNotFoundException (HTTP 400): Stream nope under account 123456789012 not found.; check the stream name and the region (AWS_REGION)")) {
            try missing.listShards()
        }
        #expect {
            try client.read(SourceIterator(shardId: Self.shard0, token: "not an iterator"), limit: 10)
        } throws: { error in
            guard case let .failure(message) = error as? SourceError else { return false }
            return message.hasPrefix("GetRecords at \(moto.endpoint) answered HTTP 500: ")
        }
    }

    static func expect(_ records: [StreamRecord], _ puts: [Put], shardId: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(records.map(\.shardId) == Array(repeating: shardId, count: puts.count), sourceLocation: sourceLocation)
        #expect(records.map(\.sequenceNumber) == puts.map(\.sequence), sourceLocation: sourceLocation)
        #expect(records.map(\.partitionKey) == puts.map(\.key), sourceLocation: sourceLocation)
        #expect(records.map(\.data.bytes) == puts.map(\.data), sourceLocation: sourceLocation)
    }

    static func json(_ write: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        write(&writer)
        writer.endObject()
        return writer.bytes
    }

    static func waitUntilActive(_ client: KinesisClient) throws {
        let deadline = AWSHTTPClient.wallClockMillis() + 10_000
        while true {
            let body = try client.call(action: "DescribeStreamSummary", body: json { $0.key("StreamName"); $0.string(client.streamName) })
            var status = ""
            var reader = JSONReader(body)
            try reader.readObject { reader, member in
                guard member == "StreamDescriptionSummary" else { return try reader.skipValue() }
                try reader.readObject { reader, member in
                    if member == "StreamStatus" { status = try reader.readString() } else { try reader.skipValue() }
                }
            }
            if status == "ACTIVE" { return }
            guard AWSHTTPClient.wallClockMillis() < deadline else { throw SourceError.failure("the stream is still \(status) after 10 s") }
            usleep(50_000)
        }
    }

    /// PutRecords; the entries come back with the shard and sequence number each got.
    static func put(_ client: KinesisClient, _ entries: [Put]) throws -> [Put] {
        let requests = entries.map { PutRecordsRequestEntry(data: $0.data, partitionKey: $0.key, explicitHashKey: $0.hashKey) }
        let body = try client.call(action: "PutRecords", body: PutRecordsCall.requestBody(streamName: client.streamName, entries: requests))
        var placed = entries
        var failed: Int64 = -1
        var reader = JSONReader(body)
        try reader.readObject { reader, member in
            switch member {
            case "FailedRecordCount": failed = try reader.readInteger(field: member)
            case "Records":
                try reader.readArray { reader, index in
                    try reader.readObject { reader, member in
                        switch member {
                        case "ShardId": placed[index].shardId = try reader.readString()
                        case "SequenceNumber": placed[index].sequence = try #require(RecordSequence(try reader.readString()))
                        default: try reader.skipValue()
                        }
                    }
                }
            default: try reader.skipValue()
            }
        }
        #expect(failed == 0)
        return placed
    }
}

/// Checkpoints in memory, for a StreamReader in a test.
final class MemoryCheckpoints: CheckpointStore {
    private let positions = Mutex<[String: [String: RecordSequence]]>([:])

    func checkpoints(consumer: String) throws(SourceError) -> [String: RecordSequence] {
        positions.withLock { $0[consumer] ?? [:] }
    }

    func save(consumer: String, _ saved: [String: RecordSequence]) throws(SourceError) {
        positions.withLock { all in
            for (shard, sequence) in saved where all[consumer]?[shard].map({ $0 < sequence }) ?? true {
                all[consumer, default: [:]][shard] = sequence
            }
        }
    }
}
