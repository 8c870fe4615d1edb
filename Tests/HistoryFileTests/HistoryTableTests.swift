import Testing
import RaceModel
@testable import HistoryFile

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
