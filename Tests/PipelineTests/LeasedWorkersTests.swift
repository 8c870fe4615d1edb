import AWSClient
import AlleycatTesting
import Foundation
import HistoryFile
import KinesisClient
import Leases
import Storage
import Testing

/// `alleycat serve --source URL --lease-table NAME --history s3://...` workers sharing a
/// stream on moto's Kinesis, with leases in moto's DynamoDB and history in moto's S3.
@Suite(.serialized) struct LeasedWorkersTests {
    /// moto, the stream, the lease table and the bucket, and the workers' data folders.
    final class Cluster {
        let moto: MotoServer
        let kinesis: KinesisClient
        let dynamo: DynamoDBClient
        let table: LeaseTable
        let s3: S3Client
        let environment: [String: String]
        let folder = temporaryDirectory("leased-workers")

        init(shards: Int) throws {
            moto = try MotoServer.started()
            kinesis = try moto.client(streamName: "race")
            _ = try kinesis.call(action: "CreateStream", body: Array(#"{"StreamName":"race","ShardCount":\#(shards)}"#.utf8))
            dynamo = DynamoDBClient(configuration: try moto.configuration(.dynamodb))
            table = LeaseTable(name: "race-leases", dynamo: dynamo)
            s3 = S3Client(configuration: try moto.configuration(.s3))
            try s3.createBucket("history")
            environment = [
                "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_REGION": "us-east-1",
                "AWS_ENDPOINT_URL_DYNAMODB": moto.endpoint, "AWS_ENDPOINT_URL_S3": moto.endpoint, "ALLEYCAT_API_KEY": "",
            ]
        }

        deinit {
            kinesis.shutdown()
            dynamo.shutdown()
            s3.shutdown()
            moto.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }

        func worker(_ name: String) throws -> ServeProcess {
            try ServeProcess(
                ["--data", folder + "/" + name, "--source", moto.endpoint, "--source-stream", "race", "--lease-table", "race-leases",
                 "--worker-id", name, "--history", "s3://history/all-time"],
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

        /// Waits until every lease has been renewed once more, so no worker still reads a shard it lost.
        func waitForRenewals() throws {
            let before = Dictionary(uniqueKeysWithValues: try table.list().map { ($0.leaseKey, $0.leaseCounter) })
            try waitFor("a renewal of every lease") { try table.list().allSatisfy { $0.leaseCounter > before[$0.leaseKey]! } }
        }

        func race(_ plan: [String], speed: String) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: simulatorBinary)
            process.arguments = plan + ["--endpoint", moto.endpoint, "--stream", "race", "--speed", speed]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }

        /// The lines of every delivered object of these workers.
        func delivered(_ workers: [String]) throws -> [String] {
            var lines: [String] = []
            for name in workers {
                let objects = try run("/usr/bin/find", [folder + "/" + name + "/delivery", "-name", "*.gz", "-not", "-path", "*processing-failed*"]).out
                for path in objects.split(separator: "\n") { lines += try gunzip(String(path)).split(separator: "\n").map(String.init) }
            }
            return lines
        }

        /// Every checkpoint at its shard's last record, and no lease with an owner.
        func expectFinishedAndHandedBack(sourceLocation: SourceLocation = #_sourceLocation) throws {
            for lease in try table.list() {
                let records = try kinesis.read(try kinesis.iterator(shardId: lease.leaseKey, start: .trimHorizon), limit: 10_000).records
                #expect(lease.checkpoint == records.last?.sequenceNumber.text, "\(lease)", sourceLocation: sourceLocation)
                #expect(lease.leaseOwner == nil, "\(lease)", sourceLocation: sourceLocation)
            }
        }

        /// The history files in S3 are those of the same race run in one process by `alleycat race`.
        func expectHistoryAsInProcess(_ plan: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: HistoryTable] {
            let local = folder + "/in-process"
            #expect(try run(alleycatBinary, ["race"] + plan + ["--data", local]).status == 0, sourceLocation: sourceLocation)
            let names = try run("/bin/ls", [local + "/history"]).out.split(separator: "\n").map(String.init).filter { $0.hasSuffix(".gz") }
            #expect(names.count == 6, sourceLocation: sourceLocation)
            #expect(try s3.listKeys("history") == names.map { "all-time/" + $0 }, sourceLocation: sourceLocation)
            var tables: [String: HistoryTable] = [:]
            for name in names {
                let expected = try HistoryTable.decode(Gzip.decompress(Array(FileManager.default.contents(atPath: local + "/history/" + name)!)))
                let object = try #require(try s3.getObject("history", key: "all-time/" + name), sourceLocation: sourceLocation)
                #expect(try HistoryTable.decode(Gzip.decompress(object.bytes)) == expected, "\(name)", sourceLocation: sourceLocation)
                tables[name] = expected
            }
            return tables
        }
    }

    /// Two workers on 4 shards: the shards spread 2 and 2, every record is delivered once
    /// between them, the history in S3 is the race's, and a graceful stop leaves every
    /// checkpoint at its shard's end and hands the leases back.
    @Test(.timeLimit(.minutes(3))) func twoWorkersShareAStreamThroughLeases() throws {
        let cluster = try Cluster(shards: 4)
        // The first worker makes the table and takes every lease; the second steals to balance.
        let a = try cluster.worker("worker-a")
        try cluster.waitFor("worker-a to hold 4 leases") { try cluster.owners() == ["worker-a": 4] }
        let b = try cluster.worker("worker-b")
        try cluster.waitFor("2 leases each") { try cluster.owners() == ["worker-a": 2, "worker-b": 2] }
        try cluster.waitForRenewals()

        let plan = ["--racers", "60", "--seconds", "12", "--seed", "5", "--start", "1764000000000"]
        #expect(try cluster.race(plan, speed: "max").waitForExit() == 0)
        try cluster.waitFor("720 records read") { try a.metric("alleycat_records_in_total") + b.metric("alleycat_records_in_total") >= 720 }
        #expect(try a.metric("alleycat_records_in_total") > 0 && b.metric("alleycat_records_in_total") > 0)
        #expect(a.stop() == 0)
        #expect(b.stop() == 0)

        let lines = try cluster.delivered(["worker-a", "worker-b"])
        #expect(lines.count == 720)
        #expect(Set(lines).count == 720)
        try cluster.expectFinishedAndHandedBack()
        let tables = try cluster.expectHistoryAsInProcess(plan)
        // Each worker's own file holds only what it merged (a rider's messages are spread
        // over every shard, so it has every rider but not every second).
        for (name, expected) in tables {
            if let file = FileManager.default.contents(atPath: cluster.folder + "/worker-a/history/" + name) {
                #expect(try HistoryTable.decode(Gzip.decompress(Array(file))) != expected, "\(name)")
            }
        }
    }

    /// Three workers on 8 shards; one is SIGKILLed mid-race and a new one starts: the dead
    /// worker's leases are taken over, its unacknowledged records read again from its last
    /// checkpoints, and the history in S3 is still exactly the race's.
    @Test(.timeLimit(.minutes(3))) func aKilledWorkersShardsAreTakenOverAndNothingIsLost() throws {
        let cluster = try Cluster(shards: 8)
        let a = try cluster.worker("worker-a")
        try cluster.waitFor("worker-a to hold 8 leases") { try cluster.owners() == ["worker-a": 8] }
        let b = try cluster.worker("worker-b")
        let c = try cluster.worker("worker-c")
        try cluster.waitFor("3, 3 and 2 leases") { try cluster.owners().values.sorted() == [2, 3, 3] }
        try cluster.waitForRenewals()

        let plan = ["--racers", "60", "--seconds", "30", "--seed", "9", "--start", "1764000000000"]
        let race = try cluster.race(plan, speed: "10")
        try cluster.waitFor("the race to be under way") { try b.metric("alleycat_records_in_total") > 0 }
        kill(b.process.processIdentifier, SIGKILL)
        b.process.waitUntilExit()
        let d = try cluster.worker("worker-d")
        #expect(race.waitForExit() == 0)
        // worker-b's leases expire (6 s) and go to the live workers, which balance with worker-d.
        try cluster.waitFor("worker-b's leases taken over and balanced") {
            let owners = try cluster.owners()
            return owners["worker-b"] == nil && owners["-"] == nil && owners.values.sorted() == [2, 3, 3]
        }
        try cluster.waitForRenewals()
        let live = [a, c, d]
        // A shard that changed hands before its records were delivered is read again by its new holder.
        try cluster.waitFor("every record read by the live workers") { try live.map { try $0.metric("alleycat_records_in_total") }.reduce(0, +) >= 1_800 }
        for worker in live { #expect(worker.stop() == 0) }

        let lines = Set(try cluster.delivered(["worker-a", "worker-c", "worker-d"]))
        #expect(lines.count == 1_800)
        try cluster.expectFinishedAndHandedBack()
        _ = try cluster.expectHistoryAsInProcess(plan)
    }
}

extension Process {
    func waitForExit() -> Int32 {
        waitUntilExit()
        return terminationStatus
    }
}
