import AWSClient
import AlleycatTesting
import KinesisAPI
import KinesisClient
import KinesisStream
import KinesisWire
import StreamReading
import Testing

@testable import Leases

/// Two workers share a 4-shard stream on moto's Kinesis through leases in moto's DynamoDB,
/// on a virtual clock: every record is read once, checkpoints live in the lease table, and
/// a worker that dies is replaced from its checkpoints.
@Suite(.timeLimit(.minutes(3)))
struct LeasedReadingTests {
    struct Worker {
        let leases: LeasedCheckpoints
        let reader: StreamReader
        var read: [String] = []

        /// One turn of a worker's loop: leases, then a read, then the checkpoints of what was read.
        mutating func step(now: Int64) throws {
            _ = try leases.tick(now: now)
            let assignment = leases.assignment
            try reader.assign(assignment.held, finishedElsewhere: assignment.finished)
            let records = reader.poll()
            read += records.map { String(decoding: $0.data.bytes, as: UTF8.self) }
            var last: [String: RecordSequence] = [:]
            for record in records { last[record.shardId] = record.sequenceNumber }
            try reader.checkpoint(last)
        }
    }

    static func put(_ client: KinesisClient, _ range: ClosedRange<Int>) throws {
        let entries = range.map { PutRecordsRequestEntry(data: Array("record-\($0)".utf8), partitionKey: "rider-\($0)") }
        let body = try client.call(action: "PutRecords", body: PutRecordsCall.requestBody(streamName: client.streamName, entries: entries))
        #expect(try PutRecordsCall.acceptedShards(body).compactMap { $0 }.count == entries.count)
    }

    @Test func workersShareTheShardsAndAReplacementResumesFromTheCheckpoints() throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        let kinesis = try moto.client(streamName: "race")
        defer { kinesis.shutdown() }
        _ = try kinesis.call(action: "CreateStream", body: Array(#"{"StreamName":"race","ShardCount":4}"#.utf8))
        try Self.put(kinesis, 1...200)
        let dynamo = DynamoDBClient(configuration: try moto.configuration(.dynamodb))
        defer { dynamo.shutdown() }
        let table = LeaseTable(name: "race-leases", dynamo: dynamo)
        try table.createIfMissing(sleep: { _ in })

        var now: Int64 = 0
        func worker(_ name: String) throws -> Worker {
            let leases = LeasedCheckpoints(worker: name, table: table)
            _ = try leases.syncShards(kinesis.listShards())
            return Worker(leases: leases, reader: try StreamReader(name: "alleycat", source: kinesis, checkpoints: leases, now: { now }))
        }
        var a = try worker("worker-a")
        var b = try worker("worker-b")
        // Six passes: a worker learns that a lease was stolen at its next renewal or pass
        // over the table (2 s), and reads the shard until then (no new records come meanwhile).
        for _ in 0..<6 {
            now += 1_000
            try a.step(now: now)
            try b.step(now: now)
        }
        #expect(a.reader.shardIds.count == 2 && b.reader.shardIds.count == 2)
        #expect(Set(a.reader.shardIds).isDisjoint(with: b.reader.shardIds))
        // Every record once, over the two workers.
        #expect((a.read + b.read).count == 200)
        #expect(Set(a.read + b.read) == Set((1...200).map { "record-\($0)" }))
        #expect(a.reader.lastError == nil && b.reader.lastError == nil)
        // The checkpoints are the leases' own, at the last record of each shard.
        let leases = try table.list()
        #expect(leases.count == 4)
        #expect(leases.allSatisfy { RecordSequence($0.checkpoint) != nil })

        // worker-b dies; more records arrive; worker-a takes b's shards once their leases
        // expire and reads on from b's checkpoints: nothing lost, nothing read twice.
        let diedAt = now
        try Self.put(kinesis, 201...300)
        while a.reader.shardIds.count < 4 {
            now += 1_000
            try a.step(now: now)
            #expect(now - diedAt <= 10_000)
            if now - diedAt > 10_000 { break }
        }
        for _ in 0..<2 {
            now += 1_000
            try a.step(now: now)
        }
        #expect((a.read + b.read).count == 300)
        #expect(Set(a.read + b.read) == Set((1...300).map { "record-\($0)" }))
        #expect(try table.list().allSatisfy { $0.leaseOwner == "worker-a" })

        // A replacement joins and balances; a graceful stop of worker-a hands all of it over.
        var c = try worker("worker-c")
        for _ in 0..<6 {
            now += 1_000
            try a.step(now: now)
            try c.step(now: now)
        }
        #expect(c.reader.shardIds.count == 2)
        try a.leases.releaseAll()
        try Self.put(kinesis, 301...340)
        for _ in 0..<3 {
            now += 1_000
            try c.step(now: now)
        }
        #expect(c.reader.shardIds.count == 4)
        #expect((a.read + b.read + c.read).count == 340)
        #expect(Set(a.read + b.read + c.read) == Set((1...340).map { "record-\($0)" }))
    }
}
