import Foundation
import KinesisStream
import Pipeline
import RaceModel
import Storage
import StreamReading
import Testing

/// Every file under `folder`, relative to it, sorted.
private func tree(_ folder: String) -> [String] {
    (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter { path in
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isFolder) && !isFolder.boolValue
    }.sorted()
}

private func inode(_ path: String) -> UInt {
    var info = stat()
    return stat(path, &info) == 0 ? UInt(info.st_ino) : 0
}

private func permissions(_ path: String) -> UInt32 {
    var info = stat()
    return stat(path, &info) == 0 ? UInt32(info.st_mode) & 0o777 : 0
}

/// Rows of a query on an SQLite file, by Python's sqlite3 (read-only, so the file stays as it is).
private func sqlite(_ path: String, _ query: String) throws -> [String] {
    let script = "import sqlite3, sys\nfor row in sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True).execute(sys.argv[2]): print(row[0])"
    let result = try run("/usr/bin/env", ["python3", "-c", script, path, query])
    precondition(result.status == 0, "python3 sqlite3 on \(path) failed: \(result.err)")
    return result.out.split(separator: "\n").map(String.init)
}

/// What the queries answer for `classes` of `data`: races, each race's results and the
/// three leaderboards, as `--json` prints them. Also checks each race's racer count
/// against its result rows.
private func answers(_ data: String, classes: [Int]) throws -> [String] {
    var texts: [String] = []
    for classId in classes {
        let races = try run(alleycatBinary, ["races", "--class", "\(classId)", "--json", "--data", data])
        #expect(races.status == 0, "\(races.err)")
        texts.append(races.out)
        for race in try JSONSerialization.jsonObject(with: Data(races.out.utf8)) as? [[String: Any]] ?? [] {
            let results = try run(alleycatBinary, ["results", "--race", "\(race["raceId"] as! Int)", "--json", "--data", data])
            let rows = try JSONSerialization.jsonObject(with: Data(results.out.utf8)) as? [[String: Any]] ?? []
            #expect(rows.filter { $0["classId"] as? Int == classId }.count == race["racerCount"] as? Int, "race \(race) in \(data)")
            texts.append(results.out)
        }
        for measure in ["total", "best", "final"] {
            texts.append(try run(alleycatBinary, ["leaderboard", "--class", "\(classId)", "--by", measure, "--limit", "1000", "--json", "--data", data]).out)
        }
    }
    return texts
}

/// A store and history files rebuilt with `alleycat repair` from `objects` (keys under
/// `delivery`), in a new data folder.
private func rebuilt(from delivery: String, objects: [String], classes: [Int]) throws -> String {
    let folder = temporaryDirectory("backup-rebuilt")
    for key in objects {
        let target = folder + "/delivery/" + key
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: target).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: delivery + "/" + key, toPath: target)
    }
    #expect(try run(alleycatBinary, ["repair", "--store", "--data", folder]).status == 0)
    for classId in classes { #expect(try run(alleycatBinary, ["repair", "--class", "\(classId)", "--data", folder]).status == 0) }
    return folder
}

@Suite struct DataFolderBackupTests {
    /// A finished race's folder (a durable, resharded stream, an API key) with a remote
    /// source's checkpoints and a longer retention beside it: the backup holds the store,
    /// history, delivered objects (hard links here), key, checkpoints and stream settings,
    /// nothing else; the queries answer as on the source, and its stream starts empty.
    @Test func aBackupHoldsWhatAFolderNeedsAndNotTheStreamLog() throws {
        let data = temporaryDirectory("backup-source")
        let backup = temporaryDirectory("backup-dest")
        defer { for folder in [data, backup] { try? FileManager.default.removeItem(atPath: folder) } }
        let race = try run(alleycatBinary, [
            "race", "--racers", "30", "--seconds", "20", "--start", "1700000000000", "--buffer-seconds", "5", "--durable", "--reshard", "10:2",
            "--data", data,
        ])
        #expect(race.status == 0, "\(race.err)")
        #expect(try run(alleycatBinary, ["keys", "create", "--name", "kept", "--data", data]).status == 0)
        let sourceShards: (count: Int, open: Int)
        do {
            let stream = try KinesisStream.durable(directory: data + "/stream", clock: VirtualClock(startMillis: 1_700_000_100_000))
            try stream.setRetention(hours: 48)
            #expect(stream.consumerNames == ["firehose"])
            sourceShards = (stream.shardCount, stream.openShardCount)
        }
        try FileCheckpointStore(directory: data + "/checkpoints", sourceName: "node-a").save(
            consumer: "firehose", ["shardId-000000000000": RecordSequence("1000000000000000000000042")!])
        try Data("half an object".utf8).write(to: URL(fileURLWithPath: data + "/delivery/.tmp-in-progress.gz"))
        try FileManager.default.createDirectory(atPath: data + "/damaged", withIntermediateDirectories: true)
        try Data("kept aside".utf8).write(to: URL(fileURLWithPath: data + "/damaged/class-1.gz.2026-12-01-00-00-00"))
        let delivered = Bucket(name: "delivery", directory: data + "/delivery").list()
        #expect(delivered.count == 4)

        let result = try run(alleycatBinary, ["backup", backup, "--data", data])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.err == "")
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 8)
        #expect(lines[0] == "backing up \(data) to \(backup) (written in \(backup).partial, renamed when complete)")
        #expect(lines[1] == "stream/: the stream's settings (retention-hours, shards.json), not its segment log")
        #expect(lines[2] == "checkpoints/: the remote source's consumer positions (node-a.json)")
        #expect(lines[3].hasPrefix("store: ") && lines[3].hasSuffix(" MB by SQLite's online backup, 4 merged objects in its ledger, integrity_check ok"))
        #expect(lines[4] == "secret.key (it seals the API keys' secrets in the store)")
        #expect(lines[5].hasPrefix("history: 6 files, "))
        #expect(lines[6].hasPrefix("delivery: 4 objects, ") && lines[6].hasSuffix(" MB, hard links"))
        #expect(lines[7].hasPrefix("backup done in ") && lines[7].contains(" s: \(backup), 15 files, ")
            && lines[7].hasSuffix(" MB (4 of them hard links to the delivered objects, no new space)"))

        #expect(tree(backup) == (["alleycat.sqlite", "backup.json", "checkpoints/node-a.json"] + delivered.map { "delivery/" + $0 }
            + (1...6).map { "history/class-\($0).gz" } + ["secret.key", "stream/retention-hours", "stream/shards.json"]).sorted())
        #expect(!FileManager.default.fileExists(atPath: backup + ".partial"))
        #expect(permissions(backup) == 0o700)
        #expect(permissions(backup + "/secret.key") == 0o600)
        for file in ["secret.key", "checkpoints/node-a.json", "stream/shards.json", "stream/retention-hours"] + (1...6).map({ "history/class-\($0).gz" }) {
            #expect(FileManager.default.contents(atPath: backup + "/" + file) == FileManager.default.contents(atPath: data + "/" + file), "\(file)")
        }
        for key in delivered { #expect(inode(backup + "/delivery/" + key) == inode(data + "/delivery/" + key), "\(key) is a hard link") }

        let manifest = try JSONDecoder().decode(BackupManifest.self, from: Data(contentsOf: URL(fileURLWithPath: backup + "/backup.json")))
        #expect(manifest.source == URL(fileURLWithPath: data).resolvingSymlinksInPath().path)
        #expect(manifest.files == 15)
        #expect(manifest.bytes == tree(backup).filter { $0 != "backup.json" }.reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: backup + "/" + file)[.size] as? Int) ?? 0)
        })
        #expect(manifest.store.integrityCheck == "ok")
        #expect(manifest.store.journalMode == "delete")
        #expect(manifest.store.mergedObjects == 4)
        #expect(manifest.history.files == 6)
        #expect(manifest.delivery.files == 4 && manifest.delivery.linked == 4)
        #expect(manifest.keysAndSettings.files == 4)
        #expect(try sqlite(backup + "/alleycat.sqlite", "PRAGMA integrity_check") == ["ok"])

        #expect(try answers(backup, classes: Array(1...6)) == answers(data, classes: Array(1...6)))
        #expect(try run(alleycatBinary, ["keys", "list", "--json", "--data", backup]).out.contains(#""name" : "kept""#))

        // The backup's stream: the source's shards and retention, no records, no positions; it takes new records.
        let stream = try KinesisStream.durable(directory: backup + "/stream", clock: VirtualClock(startMillis: 1_700_000_200_000))
        #expect(stream.shardCount == sourceShards.count && stream.openShardCount == sourceShards.open)
        #expect(sourceShards.count == 3 && sourceShards.open == 2)
        #expect(stream.retentionMillis == 48 * 3_600_000)
        #expect(stream.consumerNames == [])
        let put = try stream.putRecord(PutRecordsRequestEntry(data: Array("after the restore".utf8), partitionKey: "k"))
        let read = try stream.getRecords(stream.shardIterator(shardId: put.shardId, type: .trimHorizon))
        #expect(read.records.map { String(decoding: Array($0.data), as: UTF8.self) } == ["after the restore"])
    }

    /// A destination in the way, or no data folder, is refused with what to do, and nothing is written.
    @Test func destinationsInTheWayAreRefused() throws {
        let data = temporaryDirectory("backup-refusals")
        let scratch = temporaryDirectory("backup-refusals-dest")
        defer { for folder in [data, scratch] { try? FileManager.default.removeItem(atPath: folder) } }
        #expect(try run(alleycatBinary, ["race", "--racers", "6", "--class", "1", "--seconds", "5", "--start", "1700000000000", "--data", data]).status == 0)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)

        let full = scratch + "/full"
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: full + "/notes.txt"))
        try Data("a file".utf8).write(to: URL(fileURLWithPath: scratch + "/file"))
        let inTheWay = scratch + "/blocked"
        try FileManager.default.createDirectory(atPath: inTheWay + ".partial", withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: inTheWay + ".partial/notes.txt"))
        let empty = scratch + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)

        let cases: [(arguments: [String], message: String)] = [
            ([full, "--data", data], "Error: \(full) exists and is not empty: give a new folder for the backup (a backup never writes over another)\n"),
            ([scratch + "/file", "--data", data], "Error: \(scratch)/file exists and is not a folder: give a new folder for the backup\n"),
            ([data + "/backups/one", "--data", data], "Error: \(data)/backups/one is inside the data folder \(data): put the backup outside it\n"),
            ([inTheWay, "--data", data], "Error: \(inTheWay).partial exists and is not a backup this command left unfinished: move it away, or give another folder for the backup\n"),
            ([scratch + "/new", "--data", empty], "Error: \(empty) is not a data folder (it has no alleycat.sqlite): give --data the folder alleycat serve runs on\n"),
        ]
        for (arguments, message) in cases {
            let result = try run(alleycatBinary, ["backup"] + arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.err == message, "\(arguments)")
            #expect(result.out == "", "\(arguments)")
        }
        #expect(tree(scratch) == ["blocked.partial/notes.txt", "file", "full/notes.txt"])
        #expect(!FileManager.default.fileExists(atPath: data + "/backups"))

        // An empty folder is taken, and so is the place of a backup that did not finish.
        #expect(try run(alleycatBinary, ["backup", empty, "--data", data]).status == 0)
        #expect(tree(empty).contains("alleycat.sqlite"))
        let unfinished = scratch + "/again"
        try FileManager.default.createDirectory(atPath: unfinished + ".partial/history", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: unfinished + ".partial/.alleycat-backup-unfinished"))
        try Data("old".utf8).write(to: URL(fileURLWithPath: unfinished + ".partial/history/class-1.gz"))
        #expect(try run(alleycatBinary, ["backup", unfinished, "--data", data]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: unfinished + ".partial"))
        #expect(FileManager.default.contents(atPath: unfinished + "/history/class-1.gz") == FileManager.default.contents(atPath: data + "/history/class-1.gz"))
    }
}

/// `alleycat backup` of the folder of a running `alleycat serve` while a race arrives over
/// HTTP: a backup after every delivery and every merge, each consistent; then the one
/// holding the most unmerged objects restored and served.
@Suite(.serialized) struct BackupDuringARaceTests {
    @Test(.timeLimit(.minutes(5))) func backupsTakenMidRaceAreConsistentAndRestoreCleanly() throws {
        let data = temporaryDirectory("backup-live")
        let restored = temporaryDirectory("backup-restored")
        var scratch: [String] = []
        defer { for folder in [data, restored] + scratch { try? FileManager.default.removeItem(atPath: folder) } }
        let key = try createKey("load", data: data)
        let serveOptions = ["--shards", "4", "--records-per-shard-second", "100000"]
        let serve = try ServeProcess(["--data", data] + serveOptions)
        defer { _ = serve.stop() }

        // 300 riders of classes 1 and 2 for 120 s at ten times real time (12 s): an object
        // delivered about every 1.7 s (1 MiB of records), merges at most every 5 s (serve's window).
        let simulator = Process()
        simulator.executableURL = URL(fileURLWithPath: simulatorBinary)
        simulator.arguments = [
            "--racers", "300", "--class", "1,2", "--seconds", "120", "--speed", "10", "--seed", "9", "--endpoint", serve.endpoint, "--api-key", key, "--json",
        ]
        let summary = Pipe()
        simulator.standardOutput = summary
        simulator.standardError = FileHandle.nullDevice
        try simulator.run()
        var backups: [String] = []
        let delivery = Bucket(name: "delivery", directory: data + "/delivery")
        var seen = (delivered: 0, merges: 0.0)
        while simulator.isRunning {
            let now = (delivered: delivery.list().count, merges: try serve.metric("alleycat_merges_total"))
            guard now != seen else {
                usleep(50_000)
                continue
            }
            seen = now
            let backup = temporaryDirectory("backup-live-copy")
            scratch.append(backup)
            let taken = try run(alleycatBinary, ["backup", backup, "--data", data])
            #expect(taken.status == 0, "\(taken.out)\n\(taken.err)")
            if simulator.isRunning { backups.append(backup) }
        }
        let race = try JSONSerialization.jsonObject(with: summary.fileHandleForReading.readDataToEndOfFile()) as? [String: Any]
        #expect(serve.stop() == 0)
        #expect(race?["accepted"] as? Int == 36_000 && race?["lost"] as? Int == 0)
        let final = try sqlite(data + "/alleycat.sqlite", "SELECT count(*) FROM merged_objects")

        // Each copy as written: SQLite finds it sound, every object its ledger lists is in it,
        // and its store is exactly the merge of those objects, as `alleycat repair` rebuilds
        // it (checked once per state of the ledger: the store changes only when it does).
        var unmerged: [String: Int] = [:]
        var rebuiltLedgers: Set<Int> = []
        for backup in backups {
            let store = backup + "/alleycat.sqlite"
            #expect(try sqlite(store, "PRAGMA integrity_check") == ["ok"])
            #expect(try sqlite(store, "PRAGMA journal_mode") == ["delete"])
            let ledger = try sqlite(store, "SELECT key FROM merged_objects ORDER BY key")
            let copied = Bucket(name: "delivery", directory: backup + "/delivery").list()
            #expect(ledger.count < Int(final[0])!)
            #expect(Set(ledger).isSubset(of: copied))
            unmerged[backup] = copied.count - ledger.count
            let manifest = try JSONDecoder().decode(BackupManifest.self, from: Data(contentsOf: URL(fileURLWithPath: backup + "/backup.json")))
            #expect(manifest.store.integrityCheck == "ok" && manifest.store.mergedObjects == ledger.count && manifest.delivery.files == copied.count)
            guard rebuiltLedgers.insert(ledger.count).inserted else { continue }
            let fromLedger = try rebuilt(from: backup + "/delivery", objects: ledger, classes: [])
            scratch.append(fromLedger)
            #expect(try answers(backup, classes: [1, 2]) == answers(fromLedger, classes: [1, 2]))
        }
        #expect(rebuiltLedgers.contains { $0 > 0 }, "ledgers of \(rebuiltLedgers.sorted()) objects")
        #expect(backups.count >= 4, "\(backups.count) backups taken while the race arrived")
        let chosen = try #require(backups.max { unmerged[$0]! < unmerged[$1]! })
        #expect(unmerged[chosen]! > 0, "no backup held a delivered object not yet merged: \(unmerged)")

        // Restored (moved into place) and served: the stream starts empty, the API key works,
        // a new race is read whole, and what the backup held but had not merged is merged.
        try FileManager.default.moveItem(atPath: chosen, toPath: restored)
        #expect(!tree(restored).contains { $0.hasPrefix("stream/segment-") })
        let again = try ServeProcess(["--data", restored] + serveOptions)
        defer { _ = again.stop() }
        let second = try run(simulatorBinary, [
            "--racers", "100", "--class", "3", "--seconds", "20", "--speed", "max", "--seed", "10", "--endpoint", again.endpoint, "--api-key", key, "--json",
        ])
        #expect(second.status == 0, "\(second.err)")
        let read = Date().addingTimeInterval(60)
        while try again.metric("alleycat_records_in_total") < 2000 && Date() < read { usleep(50_000) }
        #expect(try again.metric("alleycat_records_in_total") == 2000)
        #expect(again.stop() == 0)
        let everything = Bucket(name: "delivery", directory: restored + "/delivery").list()
        #expect(try sqlite(restored + "/alleycat.sqlite", "SELECT key FROM merged_objects ORDER BY key") == everything)
        let fromAll = try rebuilt(from: restored + "/delivery", objects: everything, classes: [1, 2, 3])
        scratch.append(fromAll)
        #expect(try answers(restored, classes: [1, 2, 3]) == answers(fromAll, classes: [1, 2, 3]))
        for classId in 1...3 {
            #expect(try gunzip("\(restored)/history/class-\(classId).gz") == gunzip("\(fromAll)/history/class-\(classId).gz"), "class \(classId)")
        }
        let races = try JSONSerialization.jsonObject(with: Data(try run(alleycatBinary, ["races", "--class", "3", "--json", "--data", restored]).out.utf8))
        #expect((races as? [[String: Any]])?.map { $0["racerCount"] as? Int } == [100])
    }
}
