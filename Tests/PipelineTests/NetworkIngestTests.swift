import Foundation
import Testing

/// The simulator and a real AWS SDK against `alleycat serve` over loopback.
@Suite(.serialized) struct NetworkIngestTests {
    /// The same seeded race, sent over HTTP to `alleycat serve` and run in process,
    /// gives the same history files and leaderboards.
    @Test(.timeLimit(.minutes(3))) func raceOverTheNetworkMatchesTheRaceInProcess() throws {
        let network = temporaryDirectory("net-race")
        let local = temporaryDirectory("local-race")
        defer {
            try? FileManager.default.removeItem(atPath: network)
            try? FileManager.default.removeItem(atPath: local)
        }
        let plan = ["--racers", "60", "--seconds", "12", "--seed", "5", "--start", "1764000000000"]
        let key = try createKey("load", data: network)
        let serve = try ServeProcess(["--data", network, "--shards", "2"])
        let sent = try run(simulatorBinary, plan + ["--endpoint", serve.endpoint, "--api-key", key, "--speed", "max", "--connections", "3", "--json"])
        #expect(serve.stop() == 0)
        #expect(sent.status == 0, "\(sent.err)")
        let summary = try JSONSerialization.jsonObject(with: Data(sent.out.utf8)) as? [String: Any]
        #expect(summary?["accepted"] as? Int == 720)
        #expect(summary?["lost"] as? Int == 0)

        let raced = try run(alleycatBinary, ["race"] + plan + ["--data", local])
        #expect(raced.status == 0)
        for classId in 1...6 {
            let file = "history/class-\(classId).gz"
            #expect(try gunzip("\(network)/\(file)") == gunzip("\(local)/\(file)"), "class \(classId) history")
            for measure in ["total", "best", "final"] {
                let arguments = ["leaderboard", "--class", "\(classId)", "--by", measure, "--json"]
                let overNetwork = try run(alleycatBinary, arguments + ["--data", network]).out
                #expect(overNetwork.contains("\"racerId\""))
                #expect(overNetwork == (try run(alleycatBinary, arguments + ["--data", local]).out), "class \(classId) by \(measure)")
            }
        }
    }

    /// scripts/kinesis-compat.py: boto3, pointed at the service with endpoint_url.
    @Test(.timeLimit(.minutes(3))) func boto3WorksUnchanged() throws {
        let directory = temporaryDirectory("boto3")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try createKey("sdk", data: directory)
        let revoked = try createKey("old", data: directory)
        #expect(try run(alleycatBinary, ["keys", "revoke", "old", "--data", directory]).status == 0)
        let serve = try ServeProcess(["--data", directory, "--shards", "3"])
        let check = try run("/usr/bin/env", [
            "python3", "\(repositoryRoot)/scripts/kinesis-compat.py", "--endpoint", serve.endpoint, "--api-key", key, "--revoked-key", revoked,
        ])
        #expect(serve.stop() == 0)
        #expect(check.status == 0, "\(check.out)\n\(check.err)")
        #expect(check.out.hasSuffix("kinesis-compat: 13 checks passed\n"), "\(check.out)")
    }
}
