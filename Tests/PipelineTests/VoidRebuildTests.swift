import Foundation
import HistoryFile
import RaceModel
import RaceStore
import Storage
import Testing

/// `alleycat void` and `alleycat rebuild` as an operator runs them, on two seeded races.
@Suite(.serialized) struct VoidRebuildTests {
    static let firstRace: Int64 = 5_666_666

    /// Two races of 40 riders, 30 s each: every racer rides both.
    private func raceTwice(_ label: String) throws -> String {
        let directory = temporaryDirectory(label)
        let race = try run(alleycatBinary, ["race", "--racers", "40", "--races", "2", "--seconds", "30", "--start", "1700000000000", "--data", directory])
        #expect(race.status == 0, "\(race.err)")
        return directory
    }

    private func bytes(_ path: String) throws -> [UInt8] {
        try AtomicFile.read(path)
    }

    /// The class's history file computed from the store alone: every racer's best at each
    /// second over the results the store holds, as a merge would write it.
    private func historyFromStore(_ store: RaceStore, classId: Int, races: [Int64]) throws -> [UInt8] {
        var table = HistoryTable()
        for raceId in races {
            for result in try store.results(raceId: raceId) where result.classId == classId {
                for (index, output) in result.series.enumerated() {
                    guard let output else { continue }
                    table.fold(racerId: result.racerId, second: index + 1, output: DecimalNumber(shortest: output))
                }
            }
        }
        return table.file(level: 6, previous: nil)
    }

    @Test func voidingARacerRecomputesTheHistoryFileFromTheStoreAndUndoGivesTheBytesBack() throws {
        let directory = try raceTwice("void")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storePath = directory + "/alleycat.sqlite"
        // A racer whose first race holds some of their records: its best beats the second race's.
        let seeded = try RaceStore(path: storePath)
        let second = try seeded.results(raceId: Self.firstRace + 1)
        let racer = try seeded.results(raceId: Self.firstRace).first { first in
            second.contains { $0.racerId == first.racerId && $0.classId == first.classId && $0.bestOutput < first.bestOutput }
        }!
        let (classId, racerId) = (racer.classId, racer.racerId)
        let historyPath = directory + "/history/class-\(classId).gz"
        let original = try bytes(historyPath)
        let results = ["results", "--race", String(Self.firstRace), "--json", "--data", directory]
        let originalResults = try run(alleycatBinary, results).out
        let leaderboard = ["leaderboard", "--class", String(classId), "--by", "best", "--json", "--data", directory]
        let originalLeaderboard = try run(alleycatBinary, leaderboard).out

        let voided = try run(alleycatBinary, ["void", "--race", String(Self.firstRace), "--racer", String(racerId), "--reason", "cadence sensor stuck", "--data", directory])
        #expect(voided.status == 0, "\(voided.err)")
        #expect(voided.out == """
            void #1: racer \(racerId) in race \(Self.firstRace) taken out (1 result(s)), "cadence sensor stuck"
            records computed again for 1 racer(s) in class \(classId); written: \(historyPath)

            """)
        let store = try RaceStore(path: storePath)
        #expect(try store.results(raceId: Self.firstRace).contains { $0.racerId == racerId } == false)
        #expect(try store.racerResults(racerId: racerId).map(\.raceId) == [Self.firstRace + 1])
        let voidedFile = try bytes(historyPath)
        let fromStore = try historyFromStore(store, classId: classId, races: [Self.firstRace, Self.firstRace + 1])
        #expect(voidedFile != original, "the void changed nothing")
        #expect(voidedFile == fromStore, "the file is not the one computed from the store")
        // The racer's best-race record now comes from the race left.
        let best = try store.racerRecords(racerId: racerId)[.best]![classId]!
        #expect(best.raceId == Self.firstRace + 1)
        #expect(best.value == (try store.result(raceId: Self.firstRace + 1, classId: classId, racerId: racerId))!.bestOutput)
        #expect(try store.voids().map(\.scope) == [VoidScope(raceId: Self.firstRace, racerId: racerId)])
        #expect(try VoidAuditFileText(directory).contains(#""reason" : "cadence sensor stuck""#))

        let overlapping = try run(alleycatBinary, ["void", "--race", String(Self.firstRace), "--reason", "again", "--data", directory])
        #expect(overlapping.status == 1)
        #expect(overlapping.err == "Error: race \(Self.firstRace) overlaps void #1 (racer \(racerId) in race \(Self.firstRace), \"cadence sensor stuck\"), which holds: undo that one first (`alleycat void --undo 1`)\n")

        let undone = try run(alleycatBinary, ["void", "--undo", "1", "--data", directory])
        #expect(undone.status == 0, "\(undone.err)")
        #expect(undone.out.hasPrefix("undid void #1 (racer \(racerId) in race \(Self.firstRace), \"cadence sensor stuck\"): 1 result(s) back\n"))
        #expect(try bytes(historyPath) == original, "undo did not give the original bytes back")
        #expect(try run(alleycatBinary, results).out == originalResults)
        #expect(try run(alleycatBinary, leaderboard).out == originalLeaderboard)
        let again = try run(alleycatBinary, ["void", "--undo", "1", "--data", directory])
        #expect(again.err == "Error: void #1 (racer \(racerId) in race \(Self.firstRace)) was undone already\n")
    }

    @Test func voidingAWholeRaceEmptiesItsRowsAndUndoBringsThemBack() throws {
        let directory = try raceTwice("void-race")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try RaceStore(path: directory + "/alleycat.sqlite")
        let before = try (1...6).map { try store.races(classId: $0) }
        let voided = try run(alleycatBinary, ["void", "--race", String(Self.firstRace + 1), "--reason", "timing fault", "--data", directory])
        #expect(voided.status == 0, "\(voided.err)")
        #expect(voided.out.hasPrefix("void #1: race \(Self.firstRace + 1) taken out (40 result(s)), \"timing fault\"\n"))
        #expect(try (1...6).map { try store.races(classId: $0).map(\.raceId) } == before.map { $0.filter { $0.raceId == Self.firstRace }.map(\.raceId) })
        #expect(try store.raceExists(raceId: Self.firstRace + 1) == false)
        for classId in 1...6 where try !store.races(classId: classId).isEmpty {
            let fromStore = try historyFromStore(store, classId: classId, races: [Self.firstRace])
            #expect(try bytes(directory + "/history/class-\(classId).gz") == fromStore, "class \(classId)'s file is not the one computed from the store")
            #expect(try store.leaderboard(classId: classId, by: .total, limit: 100).allSatisfy { $0.raceId == Self.firstRace })
        }
        let missing = try run(alleycatBinary, ["void", "--race", "42", "--reason", "x", "--data", directory])
        #expect(missing.err == "Error: race 42 has no results in the store: see `alleycat races --class N` and `alleycat results --race R`\n")
        #expect(try run(alleycatBinary, ["void", "--undo", "1", "--data", directory]).status == 0)
        #expect(try (1...6).map { try store.races(classId: $0) } == before)
    }

    @Test func rebuildAfterLosingTheHistoryAndTheStoreGivesTheSameFilesAndLeaderboards() throws {
        let directory = try raceTwice("rebuild")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storePath = directory + "/alleycat.sqlite"
        let racer = try RaceStore(path: storePath).results(raceId: Self.firstRace + 1)[3]
        #expect(try run(alleycatBinary, ["void", "--race", String(Self.firstRace + 1), "--racer", String(racer.racerId), "--reason", "forged", "--data", directory]).status == 0)
        let classes = (1...6).filter { FileManager.default.fileExists(atPath: directory + "/history/class-\($0).gz") }
        let files = try classes.map { try bytes(directory + "/history/class-\($0).gz") }
        func queries() throws -> [String] {
            try classes.flatMap { classId in
                try ["total", "best", "final"].map { try run(alleycatBinary, ["leaderboard", "--class", String(classId), "--by", $0, "--json", "--data", directory]).out }
                    + [try run(alleycatBinary, ["races", "--class", String(classId), "--json", "--data", directory]).out]
            } + [try run(alleycatBinary, ["results", "--race", String(Self.firstRace + 1), "--json", "--data", directory]).out]
        }
        let answers = try queries()
        let audit = try run(alleycatBinary, ["void", "--list", "--json", "--data", directory]).out

        try FileManager.default.removeItem(atPath: directory + "/history")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
        let rebuilt = try run(alleycatBinary, ["rebuild", "--data", directory])
        #expect(rebuilt.status == 0, "\(rebuilt.err)")
        #expect(rebuilt.out.hasPrefix("rebuilt \(storePath) and \(classes.count) history file(s) in \(directory)/history\n  merged "))
        #expect(rebuilt.out.contains("\n  applied 1 void(s) again from the audit\n  1 void(s) read from \(directory)/voids.json; no store was there\n"))
        #expect(try classes.map { try bytes(directory + "/history/class-\($0).gz") } == files, "the rebuilt history files differ")
        #expect(try queries() == answers)
        #expect(try run(alleycatBinary, ["void", "--list", "--json", "--data", directory]).out == audit)
        // The void still holds after the rebuild, and can be undone.
        #expect(try run(alleycatBinary, ["void", "--undo", "1", "--data", directory]).status == 0)
        #expect(try RaceStore(path: storePath).result(raceId: Self.firstRace + 1, classId: racer.classId, racerId: racer.racerId)?.totalOutput == racer.totalOutput)
    }

    @Test func rebuildWithTighterLimitsLeavesTheRecordsBeyondThemOut() throws {
        let directory = try raceTwice("rebuild-limits")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Simulated cadence reaches 90 rpm: a limit of 80 leaves some records out.
        try Data(#"{"cadence": 80}"#.utf8).write(to: URL(fileURLWithPath: directory + "/limits.json"))
        let rebuilt = try run(alleycatBinary, ["rebuild", "--data", directory])
        #expect(rebuilt.status == 0, "\(rebuilt.err)")
        let store = try RaceStore(path: directory + "/alleycat.sqlite")
        let merged = try [Self.firstRace, Self.firstRace + 1].flatMap { try store.results(raceId: $0) }.reduce(0) { $0 + $1.secondsReported }
        #expect(rebuilt.out.contains("\n  left out \(2400 - merged) records beyond the plausibility limits\n"))
        #expect(merged < 2400)
        let bad = try run(alleycatBinary, ["rebuild", "--data", directory, "--limits", directory + "/nope.json"])
        #expect(bad.err == "Error: the plausibility limits file \(directory)/nope.json does not exist (leave out --limits for the defaults)\n")
    }
}

private func VoidAuditFileText(_ directory: String) throws -> String {
    try String(contentsOfFile: directory + "/voids.json", encoding: .utf8)
}
