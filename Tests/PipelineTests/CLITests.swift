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
}
