import HistoryFile
import RaceModel
import Testing
@testable import Rankings

@Suite struct AllTimeViewTests {
    typealias Entry = AllTimeView.Entry

    /// Class 2 records before the crafted race.
    static let table: HistoryTable = {
        var table = HistoryTable()
        for (racer, second, output) in [
            (12, 1, "95"), (13, 1, "63.9"),
            (21, 2, "100"), (14, 2, "95"),
            (11, 3, "110"), (12, 3, "120"), (14, 3, "70"), (20, 3, "114.24"), (5, 3, "80.5"),
        ] {
            table.fold(racerId: racer, second: second, output: decimal(output))
        }
        return table
    }()

    static func engine() -> (RankingEngine, CountingHistory) {
        let history = CountingHistory(classId: 2, table: table)
        return (CraftedRace.engine(history: { history($0) }), history)
    }

    // Second 3: live 12 (115), 11 (114.24), 13 (80.5); 14 sent nothing at second 3, so only its record counts.
    let s3: [Entry] = [
        Entry(rank: 1, racerId: 12, output: 115, live: true, newRecord: false, record: 120),
        Entry(rank: 2, racerId: 11, output: 114.24, live: true, newRecord: true, record: 110),
        Entry(rank: 3, racerId: 20, output: 114.24, live: false, newRecord: false, record: 114.24),
        Entry(rank: 4, racerId: 5, output: 80.5, live: false, newRecord: false, record: 80.5),
        Entry(rank: 5, racerId: 13, output: 80.5, live: true, newRecord: true, record: nil),
        Entry(rank: 6, racerId: 14, output: 70, live: false, newRecord: false, record: 70),
    ]

    @Test func ranksLiveOutputsWithRecordsAtTheCurrentSecond() {
        let (engine, _) = Self.engine()
        let view = engine.allTime(classId: 2, limit: 10)
        #expect(view == AllTimeView(classId: 2, raceId: 5_000, second: 3, total: 6, leaders: s3, racer: nil))
        #expect(view.leaders.map(\.name) == [12, 11, 20, 5, 13, 14].map { Roster.name(of: $0) })
        #expect(engine.allTime(classId: 2, limit: 2).leaders == Array(s3.prefix(2)))
    }

    @Test func anEarlierSecondUsesThatSecondsOutputsAndRecords() {
        let (engine, _) = Self.engine()
        // Second 2: live 11 (105), 12 (90), 13 (90), 14 (65, below its record 95); 21 holds 100.
        #expect(engine.allTime(classId: 2, second: 2, limit: 10).leaders == [
            Entry(rank: 1, racerId: 11, output: 105, live: true, newRecord: true, record: nil),
            Entry(rank: 2, racerId: 21, output: 100, live: false, newRecord: false, record: 100),
            Entry(rank: 3, racerId: 12, output: 90, live: true, newRecord: true, record: nil),
            Entry(rank: 4, racerId: 13, output: 90, live: true, newRecord: true, record: nil),
            Entry(rank: 5, racerId: 14, output: 65, live: true, newRecord: false, record: 95),
        ])
        // Second 1: 12 equals its record 95 (not new); 13's 64 beats 63.9.
        #expect(engine.allTime(classId: 2, second: 1, limit: 10).leaders == [
            Entry(rank: 1, racerId: 12, output: 95, live: true, newRecord: false, record: 95),
            Entry(rank: 2, racerId: 14, output: 90, live: true, newRecord: true, record: nil),
            Entry(rank: 3, racerId: 11, output: 85, live: true, newRecord: true, record: nil),
            Entry(rank: 4, racerId: 13, output: 64, live: true, newRecord: true, record: 63.9),
        ])
    }

    @Test func aRacersNeighboursLiveOrNot() {
        let (engine, _) = Self.engine()
        #expect(engine.allTime(classId: 2, limit: 0, racerId: 5).racer == Neighbourhood(entry: s3[3], above: [s3[1], s3[2]], below: [s3[4], s3[5]]))
        #expect(engine.allTime(classId: 2, limit: 0, racerId: 12).racer == Neighbourhood(entry: s3[0], above: [], below: [s3[1], s3[2]]))
        // 14 is in the race but has no output at second 3: found through its record.
        #expect(engine.allTime(classId: 2, limit: 0, racerId: 14).racer == Neighbourhood(entry: s3[5], above: [s3[3], s3[4]], below: []))
        #expect(engine.allTime(classId: 2, limit: 0, racerId: 13).racer?.entry == s3[4])
        // 21 has a record only at second 2.
        #expect(engine.allTime(classId: 2, limit: 0, racerId: 21).racer == nil)
        #expect(engine.allTime(classId: 2, second: 2, limit: 0, racerId: 21).racer?.entry.rank == 2)
    }

    @Test func historyIsTakenOnceWhenTheRaceStarts() {
        // Records merged while the race runs (this race's own seconds) must not hide a newRecord,
        // so the engine compares against the history as it stood at the race's first message.
        let (engine, history) = Self.engine()
        _ = engine.allTime(classId: 2, limit: 1)
        _ = engine.allTime(classId: 2, limit: 5, racerId: 11)
        _ = engine.allTime(classId: 2, second: 2, limit: 1)
        _ = engine.allTime(classId: 2, second: 2, limit: 1)
        _ = engine.ingest([message(racer: 11, second: 4, cadence: "50", resistance: "35")], arrivalMillis: 4_000, nowMillis: 4_000)
        let view = engine.allTime(classId: 2, limit: 10)
        #expect(history.count == 1)
        #expect(view.second == 4)
        #expect(view.leaders == [Entry(rank: 1, racerId: 11, output: 85, live: true, newRecord: true, record: nil)])
    }

    @Test func secondsOutsideTheRaceAndClassesWithoutARace() {
        let (engine, _) = Self.engine()
        #expect(engine.allTime(classId: 2, second: 0, limit: 5).total == 0)
        #expect(engine.allTime(classId: 2, second: 301, limit: 5).total == 0)
        #expect(engine.allTime(classId: 9, limit: 5) == AllTimeView(
            classId: 9, raceId: nil, second: 0, total: 0, leaders: [], racer: nil))
        // No race in class 1 yet: no current second, but records can be asked for by second.
        let table = Self.table
        let historyOnly = RankingEngine(history: { _ in table })
        #expect(historyOnly.allTime(classId: 1, limit: 5).total == 0)
        #expect(historyOnly.allTime(classId: 1, second: 2, limit: 5).leaders == [
            Entry(rank: 1, racerId: 21, output: 100, live: false, newRecord: false, record: 100),
            Entry(rank: 2, racerId: 14, output: 95, live: false, newRecord: false, record: 95),
        ])
    }
}
