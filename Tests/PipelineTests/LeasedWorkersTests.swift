import AWSClient
import AlleycatTesting
import Foundation
import HistoryFile
import KinesisClient
import Leases
import Storage
import Testing

/// Two `alleycat serve --source URL --lease-table NAME` workers share a 4-shard stream on
/// moto's Kinesis through leases in moto's DynamoDB: the shards spread 2 and 2, every record
/// is delivered once between them, the history files both fold into one S3 location are
/// those of the same race run by `alleycat race`, and a graceful stop leaves every
/// checkpoint at its shard's end and hands the leases back.
@Suite(.serialized) struct LeasedWorkersTests {
    @Test(.timeLimit(.minutes(3))) func twoWorkersShareAStreamThroughLeases() throws {
        let moto = try MotoServer.started()
        defer { moto.stop() }
        let kinesis = try moto.client(streamName: "race")
        defer { kinesis.shutdown() }
        _ = try kinesis.call(action: "CreateStream", body: Array(#"{"StreamName":"race","ShardCount":4}"#.utf8))
        let dynamo = DynamoDBClient(configuration: try moto.configuration(.dynamodb))
        defer { dynamo.shutdown() }
        let table = LeaseTable(name: "race-leases", dynamo: dynamo)
        let s3 = S3Client(configuration: try moto.configuration(.s3))
        defer { s3.shutdown() }
        try s3.createBucket("history")
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_DYNAMODB": moto.endpoint, "AWS_ENDPOINT_URL_S3": moto.endpoint, "ALLEYCAT_API_KEY": "",
        ]
        let directories = ["worker-a", "worker-b", "local"].map { temporaryDirectory($0) }
        defer { for directory in directories { try? FileManager.default.removeItem(atPath: directory) } }
        func worker(_ index: Int) throws -> ServeProcess {
            try ServeProcess(
                ["--data", directories[index], "--source", moto.endpoint, "--source-stream", "race", "--lease-table", "race-leases",
                 "--worker-id", index == 0 ? "worker-a" : "worker-b", "--history", "s3://history/all-time"],
                environment: environment)
        }
        func owners() throws -> [String: Int] {
            try table.list().reduce(into: [:]) { $0[$1.leaseOwner ?? "-", default: 0] += 1 }
        }
        func waitFor(_ what: String, _ condition: () throws -> Bool) throws {
            let deadline = Date().addingTimeInterval(60)
            while try !condition() {
                guard Date() < deadline else { throw MotoServer.Unavailable(description: "waited 60 s for \(what); the leases: \(try table.list())") }
                usleep(100_000)
            }
        }

        // The first worker makes the table and takes every lease; the second steals to balance.
        let a = try worker(0)
        try waitFor("worker-a to hold 4 leases") { try owners() == ["worker-a": 4] }
        let b = try worker(1)
        try waitFor("2 leases each") { try owners() == ["worker-a": 2, "worker-b": 2] }
        // Both have renewed since, so neither still reads a shard it lost.
        let balanced = Dictionary(uniqueKeysWithValues: try table.list().map { ($0.leaseKey, $0.leaseCounter) })
        try waitFor("a renewal of every lease") { try table.list().allSatisfy { $0.leaseCounter > balanced[$0.leaseKey]! } }

        let plan = ["--racers", "60", "--seconds", "12", "--seed", "5", "--start", "1764000000000"]
        let sent = try run(simulatorBinary, plan + ["--endpoint", moto.endpoint, "--stream", "race", "--speed", "max", "--json"], environment: environment)
        #expect(sent.status == 0, "\(sent.err)")
        try waitFor("720 records read") { try a.metric("alleycat_records_in_total") + b.metric("alleycat_records_in_total") >= 720 }
        #expect(try a.metric("alleycat_records_in_total") > 0 && b.metric("alleycat_records_in_total") > 0)
        #expect(a.stop() == 0)
        #expect(b.stop() == 0)

        // Every record delivered, once, between the two workers' delivery folders.
        var lines: [String] = []
        for directory in directories.prefix(2) {
            let objects = try run("/usr/bin/find", [directory + "/delivery", "-name", "*.gz", "-not", "-path", "*processing-failed*"]).out
            for path in objects.split(separator: "\n") { lines += try gunzip(String(path)).split(separator: "\n").map(String.init) }
        }
        #expect(lines.count == 720)
        #expect(Set(lines).count == 720)
        // Each checkpoint is at its shard's last record, and nobody holds a lease any more.
        for lease in try table.list() {
            let records = try kinesis.read(try kinesis.iterator(shardId: lease.leaseKey, start: .trimHorizon), limit: 10_000).records
            #expect(lease.checkpoint == records.last?.sequenceNumber.text, "\(lease)")
            #expect(lease.leaseOwner == nil, "\(lease)")
        }
        // The history files in S3 hold both workers' records: those of the race run in one process.
        #expect(try run(alleycatBinary, ["race"] + plan + ["--data", directories[2]]).status == 0)
        let local = try run("/bin/ls", [directories[2] + "/history"]).out.split(separator: "\n").map(String.init).filter { $0.hasSuffix(".gz") }
        #expect(!local.isEmpty)
        #expect(try s3.listKeys("history") == local.map { "all-time/" + $0 })
        for name in local {
            let expected = try HistoryTable.decode(Gzip.decompress(Array(FileManager.default.contents(atPath: directories[2] + "/history/" + name)!)))
            let object = try #require(try s3.getObject("history", key: "all-time/" + name))
            #expect(try HistoryTable.decode(Gzip.decompress(object.bytes)) == expected, "\(name)")
            // Each worker's own file holds only what it merged (the riders' messages are spread
            // over every shard, so it has every rider but not every second).
            if let file = FileManager.default.contents(atPath: directories[0] + "/history/" + name) {
                #expect(try HistoryTable.decode(Gzip.decompress(Array(file))) != expected, "\(name)")
            }
        }
    }
}
