import Foundation
import RaceStore
import Testing
@testable import alleycat

/// Names come from the stream: the query CLI prints any of them safely and in linear time.
@Suite struct TableTests {
    /// A sequence of characters that counts how many were read.
    final class Counted: Sequence {
        let text: [Character]
        var read = 0
        init(_ text: String) { self.text = Array(text) }
        func makeIterator() -> AnyIterator<Character> {
            var index = 0
            return AnyIterator { [self] in
                guard index < text.count else { return nil }
                defer { index += 1 }
                read += 1
                return text[index]
            }
        }
    }

    @Test func controlCharactersAreEscapedAndLongNamesCut() {
        #expect(terminalSafe("Ann \u{1B}[2J\u{7}Lee") == "Ann \\u{1B}[2J\\u{7}Lee")
        #expect(terminalSafe("a\u{202E}b\u{9B}c\nd") == "a\\u{202E}b\\u{9B}c\\u{A}d")
        #expect(terminalSafe("Zoë Ødegård 🚴") == "Zoë Ødegård 🚴")
        #expect(terminalSafe("abcdef", maxWidth: 6) == "abcdef")
        #expect(terminalSafe("abcdefg", maxWidth: 6) == "abcde…")
        // An escape counts at its printed width.
        #expect(terminalSafe("abc\u{1B}", maxWidth: 6) == "abc\\u…")
    }

    @Test func aHundredKilobyteNameIsReadOnlyAsFarAsItIsPrinted() {
        let name = Counted(String(repeating: "\u{1B}[2J", count: 25_600))
        let cell = terminalSafe(name, maxWidth: Table.maxCellWidth)
        #expect(cell == String(String(repeating: "\\u{1B}[2J", count: 5).prefix(39)) + "…")
        // Each group of 4 characters prints as 9: four groups (16 read, 36 printed) and the
        // next escape (17 read, 42 printed) pass the 40; nothing after it is read.
        #expect(name.read == 17)
    }

    @Test func tableLinesAreAlignedAndTrimmed() {
        var table = Table("rank", "name", "total", rightAligned: [0, 2])
        table.add("1", "Ann\u{1B}[31m", "12.5")
        table.add("10", String(repeating: "x", count: 100_000), "7")
        #expect(table.text == """
            rank  name                                      total
            ----  ----------------------------------------  -----
               1  Ann\\u{1B}[31m                              12.5
              10  xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…      7
            """)
    }

    @Test func theLeaderboardCommandPrintsAHundredKilobyteHostileName() throws {
        let directory = temporaryDirectory("names")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hostile = "\u{1B}[2J" + String(repeating: "é", count: 100_000)
        let store = try RaceStore(path: directory + "/alleycat.sqlite")
        var batch = MergeBatch(objectKeys: ["names.gz"])
        batch.add(raceId: 1_700_000_000, classId: 1, racerId: 7, name: hostile, second: 1, output: 120, isFinal: false, deviceTimestamp: 1_700_000_000_000)
        try store.commit(batch)

        let table = try run(alleycatBinary, ["leaderboard", "--class", "1", "--data", directory])
        #expect(table.status == 0)
        #expect(table.out == """
            all-time leaderboard of class 1 (Recovery Ride), by total output
            rank  racer  name                                      total        race
            ----  -----  ----------------------------------------  -----  ----------
               1      7  \\u{1B}[2J\(String(repeating: "é", count: 30))…    120  1700000000

            """)
        let json = try run(alleycatBinary, ["leaderboard", "--class", "1", "--data", directory, "--json"])
        let entries = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [[String: Any]]
        #expect(entries.first?["name"] as? String == hostile)
    }
}
