import AWSClient
import AlleycatTesting
import Firehose
import Foundation
import KinesisStream
import RaceModel
import Storage
import StreamReading
import Testing

@testable import Leases

/// Two firehoses share a stream through leases in moto's DynamoDB while it is resharded:
/// every record is delivered once over the two, a parent's lease is `SHARD_END` only after
/// its last record is in an object, and only then are its children read.
@Suite(.timeLimit(.minutes(3)))
struct LeasedFirehoseTests {
    @Test func firehosesOnLeasesDeliverEveryRecordOnceAcrossAReshard() throws {
        let moto = try MotoServer.started()
        defer { moto.stop() }
        let dynamo = DynamoDBClient(configuration: try moto.configuration(.dynamodb))
        defer { dynamo.shutdown() }
        let table = LeaseTable(name: "firehose-leases", dynamo: dynamo)
        try table.createIfMissing(sleep: { _ in })

        let clock = VirtualClock(startMillis: 1_764_000_000_000)
        let stream = try KinesisStream(shardCount: 2, clock: clock)
        let source = EmbeddedSource(stream: stream)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("leased-firehose-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }

        func firehose(_ worker: String) throws -> (DeliveryStream, LeasedCheckpoints, Bucket) {
            let leases = LeasedCheckpoints(worker: worker, table: table)
            _ = try leases.syncShards(source.listShards())
            let bucket = Bucket(name: worker, directory: "\(folder)/\(worker)")
            let stage = try DeliveryStream(
                configuration: DeliveryStreamConfiguration(bufferingHints: BufferingHints(intervalInSeconds: 0), parallelDeliveries: 1, objectKeySeed: 1),
                source: source, checkpoints: leases, assignment: leases, processor: PassThroughProcessor(), bucket: bucket, clock: clock)
            return (stage, leases, bucket)
        }
        func put(_ range: ClosedRange<Int>) throws {
            let entries = range.map { PutRecordsRequestEntry(data: Array("record-\($0)\n".utf8), partitionKey: "rider-\($0 % 17)") }
            #expect(try stream.putRecords(entries).failedPutCount == 0)
        }
        let (a, aLeases, aBucket) = try firehose("worker-a")
        let (b, bLeases, bBucket) = try firehose("worker-b")
        func run(_ seconds: Int) {
            for _ in 0..<seconds {
                clock.advance(byMillis: 1_000)
                a.pump()
                b.pump()
            }
        }

        try put(1...60)
        run(6)
        #expect(Set(aLeases.assignment.held).isDisjoint(with: bLeases.assignment.held))
        #expect(aLeases.assignment.held.count == 1 && bLeases.assignment.held.count == 1)

        // 2 shards become 4: both parents close; their children wait for them.
        _ = try stream.updateShardCount(4)
        try put(61...120)
        _ = try aLeases.syncShards(source.listShards())
        run(8)
        a.flush()
        b.flush()
        #expect(aLeases.lastProblem == nil && bLeases.lastProblem == nil)

        func lines(_ bucket: Bucket) throws -> [String] {
            try bucket.list().flatMap { key in
                String(decoding: try Gzip.decompress(bucket.get(key: key)), as: UTF8.self).split(separator: "\n").map(String.init)
            }
        }
        let delivered = try lines(aBucket) + lines(bBucket)
        #expect(delivered.count == 120)
        #expect(Set(delivered) == Set((1...120).map { "record-\($0)" }))
        #expect(try !lines(aBucket).isEmpty && !lines(bBucket).isEmpty)

        let leases = try table.list()
        let parents = leases.filter { $0.parentShardIds.isEmpty }
        let children = leases.filter { !$0.parentShardIds.isEmpty }
        #expect(parents.count == 2 && children.count >= 2)
        #expect(parents.allSatisfy { $0.isFinished })
        // Every open child's checkpoint is at its last record.
        for child in children {
            let last = try source.read(source.iterator(shardId: child.leaseKey, start: .trimHorizon), limit: 10_000).records.last
            #expect(child.checkpoint == last?.sequenceNumber.text ?? Lease.trimHorizon)
        }
    }
}
