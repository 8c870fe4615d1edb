import Testing
import RaceModel
@testable import HistoryFile
import Storage

func decimal(_ text: String) -> DecimalNumber {
    var index = 0
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBufferPointer { DecimalNumber.parseJSON($0, index: &index)! }
}

@Suite struct HistoryTableTests {
    @Test func keepsTheMaximumPerRacerAndSecond() {
        var table = HistoryTable()
        let changes = ["100.5", "100.25", "100.75", "100.750"].map { table.fold(racerId: 7, second: 2, output: decimal($0)) }
        #expect(changes == [true, false, true, false])
        table.fold(racerId: 3, second: 1, output: decimal("90"))
        #expect(table.best(racerId: 7, second: 2) == decimal("100.75"))
        #expect(table.best(racerId: 7, second: 1) == nil)
        #expect(table.best(racerId: 4, second: 1) == nil)
        #expect(String(decoding: table.json(), as: UTF8.self) == #"{"1":{"3":90},"2":{"7":100.75}}"#)
    }

    @Test func writesSecondsAndRacersInNumericOrder() {
        var table = HistoryTable()
        for (racer, second, output) in [(10, 10, "1"), (2, 10, "2"), (2, 9, "3"), (100, 1, "4.5")] {
            table.fold(racerId: racer, second: second, output: decimal(output))
        }
        #expect(String(decoding: table.json(), as: UTF8.self) == #"{"1":{"100":4.5},"9":{"2":3},"10":{"2":2,"10":1}}"#)
    }

    @Test func decodesWhatItWritesAndSpacedJSON() throws {
        var table = HistoryTable()
        table.fold(racerId: 1, second: 300, output: decimal("188.75"))
        table.fold(racerId: 39_999, second: 1, output: decimal("63.7"))
        #expect(try HistoryTable.decode(table.json()) == table)
        let spaced = Array(#" { "1" : { "39999" : 63.7 } , "300" : { "1" : 188.75 } } "#.utf8)
        #expect(try HistoryTable.decode(spaced) == table)
        #expect(try HistoryTable.decode(Array("{}".utf8)) == HistoryTable())
    }

    @Test(arguments: [
        ("", "history JSON: expected '{' at byte 0"),
        (#"{"1":{"2":"x"}}"#, "history JSON: expected a number at byte 10"),
        (#"{"0":{}}"#, "history JSON: expected a second of at least 1 at byte 1"),
        (#"{"1":{}} x"#, "history JSON: expected the end of the file at byte 9"),
    ])
    func refusesBrokenFiles(text: String, message: String) {
        #expect(throws: HistoryFileError(description: message)) { try HistoryTable.decode(Array(text.utf8)) }
    }
}

@Suite struct HistoryTableFileTests {
    /// 300 racers over 60 seconds, the outputs a simulated race gives.
    static func folds(seed: Int) -> [(racer: Int, second: Int, output: DecimalNumber)] {
        (1...60).flatMap { second in
            (0..<300).map { racer in
                let cadence = (racer * 7 + second * 13 + seed) % 90 + 30
                let resistance = (racer * 11 + second * 5 + seed) % 50 + 20
                return (racer * 3 + 1, second, DecimalNumber.output(cadence: DecimalNumber(cadence), resistance: DecimalNumber(resistance)))
            }
        }
    }

    @Test func theFileIsTheGzipOfTheJSON() throws {
        var table = HistoryTable()
        for fold in Self.folds(seed: 0) { table.fold(racerId: fold.racer, second: fold.second, output: fold.output) }
        let file = table.file(previous: nil)
        #expect(try Gzip.decompress(file) == table.json())
        #expect(try HistoryTable.decode(Gzip.decompress(file)) == table)
        // Every piece copied from the file just made: the same bytes again.
        #expect(table.file(previous: file) == file)
        var empty = HistoryTable()
        #expect(try Gzip.decompress(empty.file(previous: nil)) == Array("{}".utf8))
    }

    @Test func onlyChangedSecondsAreCompressedAgainAndTheFileIsTheSameAsAFreshOne() throws {
        var merged = HistoryTable()
        for fold in Self.folds(seed: 0) { merged.fold(racerId: fold.racer, second: fold.second, output: fold.output) }
        let first = merged.file(previous: nil)
        #expect(merged.staleSeconds == [])
        // A second race: new records at seconds 2 and 40 only, and a new racer at second 59.
        merged.fold(racerId: 4, second: 2, output: DecimalNumber(mantissa: 9_999_99, scale: 2))
        merged.fold(racerId: 7, second: 40, output: DecimalNumber(1))
        merged.fold(racerId: 100_000, second: 59, output: DecimalNumber(mantissa: 5, scale: 1))
        #expect(merged.staleSeconds == [2, 59])
        let file = merged.file(previous: first)

        var fresh = HistoryTable()
        for fold in Self.folds(seed: 0) { fresh.fold(racerId: fold.racer, second: fold.second, output: fold.output) }
        fresh.fold(racerId: 4, second: 2, output: DecimalNumber(mantissa: 9_999_99, scale: 2))
        fresh.fold(racerId: 100_000, second: 59, output: DecimalNumber(mantissa: 5, scale: 1))
        #expect(fresh == merged)
        #expect(file == fresh.file(previous: nil))
        #expect(try Gzip.decompress(file) == fresh.json())
        // Given a file that is not the one it wrote last, it compresses every second again.
        var replaced = fresh
        #expect(replaced.file(previous: first) == file)
        #expect(replaced.file(previous: Array(file.dropLast())) == file)
    }

    @Test func valuesTooWideToPackAreKeptExactly() throws {
        var table = HistoryTable()
        let wide = [
            DecimalNumber(mantissa: 134_217_728, scale: 2), DecimalNumber(mantissa: 123_456_789_012_345, scale: 15),
            DecimalNumber(mantissa: -134_217_727, scale: 0), DecimalNumber(mantissa: 1, scale: 18),
        ]
        for (racer, value) in wide.enumerated() { table.fold(racerId: racer, second: 1, output: value) }
        #expect(wide.indices.map { table.best(racerId: $0, second: 1) } == wide)
        #expect(String(decoding: table.json(), as: UTF8.self)
            == #"{"1":{"0":1342177.28,"1":0.123456789012345,"2":-134217727,"3":0.000000000000000001}}"#)
        table.fold(racerId: 0, second: 1, output: DecimalNumber(mantissa: 2_000_000_000, scale: 2))
        #expect(table.best(racerId: 0, second: 1) == DecimalNumber(mantissa: 2_000_000_000, scale: 2))
        #expect(try HistoryTable.decode(table.json()) == table)
    }

    @Test func recordsAtASecondAndRacers() {
        var table = HistoryTable()
        for (racer, second, output) in [(10, 2, 1), (2, 2, 2), (5, 1, 3)] { table.fold(racerId: racer, second: second, output: DecimalNumber(output)) }
        #expect(table.records(atSecond: 2).map { "\($0.racerId)=\($0.output)" }.sorted() == ["10=1", "2=2"])
        #expect(table.records(atSecond: 3).isEmpty)
        #expect(table.records(atSecond: 0).isEmpty)
        #expect(table.racerIds == [2, 5, 10])
        #expect(table.seconds == 2)
        #expect(table.contains(racerId: 5) && !table.contains(racerId: 6))
    }
}

@Suite struct HistoryTableReplaceTests {
    private func table(_ records: [(Int, Int, Int)]) -> HistoryTable {
        var table = HistoryTable()
        for (racerId, second, output) in records { table.fold(racerId: racerId, second: second, output: DecimalNumber(output)) }
        return table
    }

    @Test func aReplacedRacerHoldsExactlyTheNewValuesLowerOrHigher() {
        var replaced = table([(7, 1, 50), (7, 2, 60), (9, 1, 40), (9, 3, 45)])
        replaced.replace(racerId: 9, outputs: [DecimalNumber(30), nil, nil, DecimalNumber(44)])
        let expected = table([(7, 1, 50), (7, 2, 60), (9, 1, 30), (9, 4, 44)])
        #expect(replaced == expected)
        #expect(String(decoding: replaced.json(), as: UTF8.self) == #"{"1":{"7":50,"9":30},"2":{"7":60},"4":{"9":44}}"#)
    }

    @Test func aRacerLeftWithNothingLeavesTheTableAndTheFileIsAsIfNeverThere() {
        var replaced = table([(3, 1, 10), (5, 1, 20), (5, 4, 25), (8, 2, 30)])
        var fileBefore = replaced
        _ = fileBefore.file(previous: nil)
        replaced.replace(racerId: 5, outputs: [])
        var expected = table([(3, 1, 10), (8, 2, 30)])
        #expect(replaced == expected)
        #expect(replaced.racerIds == [3, 8])
        #expect(replaced.seconds == 2)
        #expect(replaced.file(previous: nil) == expected.file(previous: nil))
        // The racer that moved into the freed slot keeps its values.
        #expect(replaced.best(racerId: 8, second: 2) == DecimalNumber(30))
        replaced.replace(racerId: 42, outputs: [nil])
        #expect(!replaced.contains(racerId: 42))
    }
}
