import Foundation
import Testing

/// The `alleycat` CLI as a user runs it: exit codes and exact messages.
@Suite struct CLITests {
    @Test func errorsSayWhatToDo() throws {
        let directory = temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = try run(alleycatBinary, ["leaderboard", "--class", "1", "--data", directory])
        #expect(missing.status == 1)
        #expect(missing.err == "Error: no store at \(directory)/alleycat.sqlite: run `alleycat race` first, or point --data at a data directory\n")

        let race = try run(alleycatBinary, ["race", "--racers", "12", "--class", "1", "--seconds", "10", "--start", "1700000000000", "--data", directory])
        #expect(race.status == 0)
        #expect(race.out.contains("\(directory)/history/class-1.gz"))

        let cases: [([String], Int32, String)] = [
            (["leaderboard", "--class", "7"], 1, "Error: class 7 does not exist: classes are 1 to 6 (1 Recovery Ride, 2 Endurance, 3 Tempo, 4 Hill Climb, 5 Intervals, 6 Sprint)\n"),
            (["races", "--class", "0"], 1, "Error: class 0 does not exist: classes are 1 to 6 (1 Recovery Ride, 2 Endurance, 3 Tempo, 4 Hill Climb, 5 Intervals, 6 Sprint)\n"),
            (["results", "--race", "42"], 1, "Error: race 42 not found in \(directory)/alleycat.sqlite: `alleycat races --class N` lists the races\n"),
            (["racer", "--id", "11"], 0, ""),
            (["racer", "--id", "99"], 1, "Error: racer 99 has no races in \(directory)/alleycat.sqlite\n"),
            (["racer", "--id", "50000"], 1, "Error: racer 50000 has no races in \(directory)/alleycat.sqlite (the roster has ids 0 to 39999)\n"),
            (["history", "--class", "2"], 1, "Error: no history file \(directory)/history/class-2.gz: class 2 has no merged races yet (run `alleycat race --class 2`)\n"),
            (["history", "--class", "1", "--racer", "99"], 1, "Error: racer 99 has no records in class 1\n"),
            (["history", "--class", "1", "--second", "11"], 1, "Error: no records at second 11 in class 1\n"),
        ]
        for (arguments, status, message) in cases {
            let result = try run(alleycatBinary, arguments + (arguments[0] == "roster" ? [] : ["--data", directory]))
            #expect(result.status == status, "\(arguments)")
            #expect(result.err == message, "\(arguments)")
        }
        let badMeasure = try run(alleycatBinary, ["leaderboard", "--class", "1", "--by", "worst", "--data", directory])
        #expect(badMeasure.status == 64)
        #expect(badMeasure.err.hasPrefix("Error: --by must be total, best or final, got 'worst'\n"))
        let roster = try run(alleycatBinary, ["roster", "--id", "40000"])
        #expect(roster.err == "Error: racer 40000 is not in the roster: ids are 0 to 39999\n")
    }

    @Test func oneProcessAtATimeRunsOnADataFolder() throws {
        let directory = temporaryDirectory("cli-lock")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let race = ["race", "--racers", "5", "--class", "2", "--seconds", "5", "--start", "1700000000000", "--data", directory]
        let serve = try ServeProcess(["--data", directory, "--in-memory"])
        let refused = try run(alleycatBinary, race)
        let again = try run(alleycatBinary, ["serve", "--port", "0", "--data", directory])
        #expect(serve.stop() == 0)
        let holder = "pid \(serve.process.processIdentifier) (\(alleycatBinary) serve --port 0 --data \(directory) --in-memory)"
        let message = "Error: the data folder \(directory) is in use by \(holder): stop that process, or give this one another --data folder\n"
        #expect(refused.status == 1)
        #expect(refused.err == message)
        #expect(again.status == 1)
        #expect(again.err.hasSuffix(message))
        // The lock goes with the process that held it.
        #expect(try run(alleycatBinary, race).status == 0)
    }

    /// SIGTERM or SIGINT stops a service that is still simulating races, after delivering
    /// and merging what it took: every accepted message is in the store.
    @Test(arguments: [SIGTERM, SIGINT]) func aSignalStopsASimulatingServiceAfterMergingWhatItTook(signal: Int32) throws {
        let directory = temporaryDirectory("cli-signal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let serve = try ServeProcess([
            "--data", directory, "--in-memory", "--simulate-racers", "20", "--simulate-class", "3", "--simulate-seconds", "60",
            "--simulate-races", "3",
        ])
        // Wait for the first records (start-up, not a measurement).
        let deadline = Date().addingTimeInterval(60)
        while try serve.metric("alleycat_records_in_total") < 40 && Date() < deadline { usleep(50_000) }
        // Without the stop the simulation would run three minutes more.
        let stopped = serve.stop(signal: signal, waitingAtMost: 30)
        #expect(stopped.exited)
        #expect(stopped.status == 0)
        let summary = try #require(stopped.output.split(separator: "\n").first { $0.hasPrefix("simulation stopped: ") })
        let accepted = try #require(Int(summary.dropFirst("simulation stopped: ".count).prefix { $0.isNumber }))
        #expect(summary == "simulation stopped: \(accepted) of \(accepted) messages accepted, 0 failed")
        #expect(stopped.output.hasSuffix("alleycat serve: stopped; everything buffered is delivered and merged\n"))

        let races = try run(alleycatBinary, ["races", "--class", "3", "--json", "--data", directory])
        let raceIds = try (JSONSerialization.jsonObject(with: Data(races.out.utf8)) as! [[String: Any]]).map { $0["raceId"] as! Int }
        var seconds = 0
        for raceId in raceIds {
            let results = try run(alleycatBinary, ["results", "--race", String(raceId), "--json", "--data", directory])
            seconds += try (JSONSerialization.jsonObject(with: Data(results.out.utf8)) as! [[String: Any]]).reduce(0) { $0 + ($1["secondsReported"] as! Int) }
        }
        #expect(seconds == accepted)
    }

    /// A damaged history file or store is refused at start with the command that repairs
    /// it, and that command gives back what a clean run wrote.
    @Test func damagedFilesAreRefusedAndRepairedByTheCommandNamed() throws {
        let directory = temporaryDirectory("cli-repair")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let race = ["race", "--racers", "40", "--seconds", "30", "--start", "1700000000000", "--data", directory]
        #expect(try run(alleycatBinary, race).status == 0)
        let history = directory + "/history/class-2.gz"
        let clean = try Data(contentsOf: URL(fileURLWithPath: history))
        let resultsCommand = ["results", "--race", "5666666", "--json", "--data", directory]
        let cleanResults = try run(alleycatBinary, resultsCommand).out
        #expect(cleanResults.count > 1000)

        // A truncated history file.
        try clean.prefix(200).write(to: URL(fileURLWithPath: history))
        let next = ["race", "--racers", "5", "--seconds", "5", "--start", "1700001000000", "--data", directory]
        let refused = try run(alleycatBinary, next)
        #expect(refused.status == 1)
        #expect(refused.err == "Error: the history file \(history) is damaged (gzip stream ends early (truncated file?)): "
            + "`alleycat repair --class 2 --data \(directory)` rebuilds it from the delivered objects\n")
        let repaired = try run(alleycatBinary, ["repair", "--class", "2", "--data", directory])
        #expect(repaired.status == 0)
        #expect(repaired.out.hasPrefix("rebuilt \(history) from 1 delivered objects: 210 records of class 2, 7 racers, 30 seconds, in "))
        #expect(try Data(contentsOf: URL(fileURLWithPath: history)) == clean)
        let kept = try FileManager.default.contentsOfDirectory(atPath: directory + "/damaged")
        #expect(kept.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/damaged/" + kept[0]) == ["class-2.gz"])

        // Garbage over pages in the middle of the store (SQLite's quick_check finds it).
        let keyed = try run(alleycatBinary, ["keys", "create", "--name", "kept", "--data", directory])
        #expect(keyed.status == 0)
        let storePath = directory + "/alleycat.sqlite"
        let size = try FileManager.default.attributesOfItem(atPath: storePath)[.size] as! Int
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: storePath))
        // Over the head of a page in the middle: a b-tree page header (garbage over only free space would pass the check).
        try handle.seek(toOffset: UInt64(size / 8192 / 2 * 8192))
        handle.write(Data(repeating: 0x5A, count: 6000))
        try handle.close()
        let damagedStore = try run(alleycatBinary, next)
        #expect(damagedStore.status == 1)
        #expect(damagedStore.err.hasPrefix("Error: the store \(storePath) is damaged (quick_check"))
        #expect(damagedStore.err.hasSuffix("): `alleycat repair --store --data \(directory)` rebuilds it from the delivered objects\n"))
        let rebuilt = try run(alleycatBinary, ["repair", "--store", "--data", directory])
        #expect(rebuilt.status == 0)
        #expect(rebuilt.out.hasPrefix("rebuilt \(storePath): merged 1 delivered objects (1200 records) in "))
        #expect(rebuilt.out.contains("; 1 API key(s) copied from the damaged store\n"))
        #expect(try run(alleycatBinary, resultsCommand).out == cleanResults)
        #expect(try run(alleycatBinary, ["keys", "list", "--json", "--data", directory]).out.contains(#""name" : "kept""#))
        #expect(try run(alleycatBinary, next).status == 0)
    }

    @Test func tablesAreAlignedAndNamed() throws {
        let directory = temporaryDirectory("cli-table")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try run(alleycatBinary, ["race", "--racers", "3", "--class", "4", "--seconds", "2", "--start", "1700000000000", "--data", directory])
        let history = try run(alleycatBinary, ["history", "--class", "4", "--second", "2", "--data", directory])
        #expect(history.out == """
            second  racer  name     best output
            ------  -----  -------  -----------
                 2      0  Aaliyah     124.4419
                 2      1  Hugo          129.09
                 2      2  Jose         119.988

            """)
    }

    @Test func apiKeysAreCreatedListedAndRevoked() throws {
        let directory = temporaryDirectory("cli-keys")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func keys(_ arguments: String...) throws -> (status: Int32, out: String, err: String) {
            try run(alleycatBinary, ["keys"] + arguments + ["--data", directory])
        }
        func listed() throws -> [[String: Any]] {
            let list = try keys("list", "--json")
            #expect(list.status == 0)
            return try #require(JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]])
        }
        let noStore = try keys("list")
        #expect(noStore.status == 1)
        #expect(noStore.err == "Error: no store at \(directory)/alleycat.sqlite: `alleycat keys create --name NAME` makes one, or point --data at a data directory\n")

        let created = try keys("create", "--name", "bench", "--json")
        #expect(created.status == 0)
        let sealKey = try FileManager.default.attributesOfItem(atPath: directory + "/secret.key")
        #expect(sealKey[.posixPermissions] as? Int == 0o600 && sealKey[.size] as? Int == 32)
        let object = try #require(JSONSerialization.jsonObject(with: Data(created.out.utf8)) as? [String: Any])
        let key = try #require(object["key"] as? String)
        #expect(key.wholeMatch(of: /AC[A-Z2-7]{30}/) != nil, "\(key)")
        let secret = try #require(object["secretAccessKey"] as? String)
        #expect(secret.wholeMatch(of: /[A-Za-z0-9+\/]{40}/) != nil, "\(secret)")
        #expect(created.out == "{\"burst\":200,\"bytesPerSecond\":268435456,\"id\":1,\"key\":\"\(key)\",\"name\":\"bench\",\"requestsPerSecond\":100,\"secretAccessKey\":\"\(secret)\"}\n")

        let active = try listed()
        #expect(active.count == 1)
        #expect(active.first?["id"] as? Int == 1)
        #expect(active.first?["name"] as? String == "bench")
        #expect(active.first?["prefix"] as? String == String(key.prefix(6)))
        #expect(active.first?["requestsPerSecond"] as? Int == 100)
        #expect(active.first?["burst"] as? Int == 200)
        #expect(active.first?["status"] as? String == "active")
        #expect(active.first?["revokedMillis"] is NSNull)

        let revoked = try keys("revoke", "bench")
        #expect(revoked.status == 0)
        #expect(revoked.out == "revoked API key 'bench' (id 1)\n")
        let afterRevoke = try listed()
        #expect(afterRevoke.first?["status"] as? String == "revoked")
        #expect(afterRevoke.first?["revokedMillis"] is Int)

        let again = try keys("revoke", "bench")
        #expect(again.status == 1)
        #expect(again.err == "Error: API key 'bench' was already revoked\n")
        let unknown = try keys("revoke", "7")
        #expect(unknown.err == "Error: no API key named or numbered '7': 'alleycat keys list' shows them\n")
        let taken = try keys("create", "--name", "bench")
        #expect(taken.status == 1)
        #expect(taken.err == "Error: API key name 'bench' is taken: choose another --name\n")
        let badRate = try keys("create", "--name", "fast", "--rate", "0")
        #expect(badRate.status == 64)
        #expect(badRate.err.hasPrefix("Error: API key rate is 0 requests/s, must be 1 to 1000000 (--rate)\n"))

        let badBytes = try keys("create", "--name", "thin", "--bytes-per-second", "10")
        #expect(badBytes.status == 64)
        #expect(badBytes.err.hasPrefix("Error: API key byte budget is 10 bytes/s, must be 1024 to 1073741824 (--bytes-per-second)\n"))

        let text = try keys("create", "--name", "second", "--rate", "5", "--burst", "10", "--bytes-per-second", "4096")
        let lines = text.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines.first == "created API key 'second' (id 2): rate 5 requests/s, burst 10, 4096 bytes/s")
        let secondKey = String(lines.dropFirst().first?.dropFirst("key:    ".count) ?? "")
        #expect(secondKey.wholeMatch(of: /AC[A-Z2-7]{30}/) != nil, "\(lines)")
        let secondSecret = String(lines.dropFirst(2).first?.dropFirst("secret: ".count) ?? "")
        #expect(secondSecret.wholeMatch(of: /[A-Za-z0-9+\/]{40}/) != nil, "\(lines)")
        #expect(Array(lines.dropFirst(3)) == [
            "Keep both now: they are not shown again. Send the key as the x-api-key header, or sign with an AWS SDK or the AWS CLI:",
            "  aws configure set aws_access_key_id \(secondKey) --profile second",
            "  aws configure set aws_secret_access_key \(secondSecret) --profile second",
        ])

        let table = try keys("list")
        let rows = table.out.split(separator: "\n").map(String.init)
        #expect(rows.count == 4)
        #expect(rows.first == "id  name    prefix  rate/s  burst    bytes/s  created               status")
        #expect(rows.dropFirst(2).first?.wholeMatch(of: #/ 1  bench   AC[A-Z2-7]{4}     100    200  268435456  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  revoked at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/#) != nil, "\(rows)")
        #expect(rows.last?.hasPrefix(" 2  second  \(secondKey.prefix(6))       5     10       4096  ") == true, "\(rows)")
        #expect(rows.last?.hasSuffix("Z  active") == true, "\(rows)")
        #expect(!table.out.contains(key.dropFirst(6)) && !table.out.contains(secondKey.dropFirst(6)) && !table.out.contains(secondSecret))
        // The store holds neither the keys nor the secrets as text.
        let storeBytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/alleycat.sqlite"))
        for hidden in [key, secret, secondKey, secondSecret] { #expect(storeBytes.range(of: Data(hidden.utf8)) == nil) }
    }
}

/// Resharding mid-race (issue 13): the same seeded 1,000-rider race, once on one shard
/// and once with UpdateShardCount 1 → 4 → 2 during it, gives the same history files and
/// leaderboards, with every record delivered once.
@Suite struct ReshardMidRaceTests {
    @Test(.timeLimit(.minutes(3))) func aRaceReshardedMidwayGivesTheSameOutputs() throws {
        let plain = temporaryDirectory("race-plain")
        let resharded = temporaryDirectory("race-resharded")
        defer { for directory in [plain, resharded] { try? FileManager.default.removeItem(atPath: directory) } }
        let race = ["race", "--racers", "1000", "--seconds", "60", "--seed", "7", "--start", "1764000000000", "--json"]
        let one = try run(alleycatBinary, race + ["--data", plain])
        let other = try run(alleycatBinary, race + ["--data", resharded, "--reshard", "20:4", "--reshard", "40:2"])
        #expect(one.status == 0 && other.status == 0, "\(one.err)\n\(other.err)")
        for (answer, shards, open) in [(one.out, 1, 1), (other.out, 9, 2)] {
            let figures = try #require(JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])
            #expect(figures["accepted"] as? Int == 60_000 && figures["delivered"] as? Int == 60_000 && figures["merged"] as? Int == 60_000, "\(answer)")
            #expect(figures["shards"] as? Int == shards && figures["openShards"] as? Int == open, "\(answer)")
        }
        try expectSameOutputs(resharded, as: plain)
        let refused = try run(alleycatBinary, ["race", "--reshard", "20", "--data", plain])
        #expect(refused.status == 64)
        #expect(refused.err.hasPrefix("Error: --reshard takes SECOND:SHARDS, a second of the run from 1 and a shard count of 1 to 1024 (for example 100:4), not '20'\n"))
    }
}
