import RaceModel
import Testing
@testable import Rankings

@Suite struct HereNowViewTests {
    typealias Entry = HereNowView.Entry

    // At second 3 of the crafted race: 12 (115), 11 (114.24), 13 (80.5), 14 (65, second 2).
    let e12 = Entry(rank: 1, racerId: 12, output: 115, best: 115, second: 3)
    let e11 = Entry(rank: 2, racerId: 11, output: 114.24, best: 114.24, second: 3)
    let e13 = Entry(rank: 3, racerId: 13, output: 80.5, best: 90, second: 3)
    let e14 = Entry(rank: 4, racerId: 14, output: 65, best: 90, second: 2)

    @Test func leadersAreTheFirstEntriesUpToTheLimit() {
        let view = CraftedRace.engine().hereNow(classId: 2, limit: 2)
        #expect(view == HereNowView(classId: 2, raceId: 5_000, second: 3, total: 4, leaders: [e12, e11], racer: nil))
        #expect(view.leaders.map(\.name) == [Roster.name(of: 12), Roster.name(of: 11)])
        #expect(CraftedRace.engine().hereNow(classId: 2, limit: 0).leaders.isEmpty)
    }

    @Test func aRacerInTheMiddleHasNeighboursOnBothSides() {
        let racer = CraftedRace.engine().hereNow(classId: 2, limit: 1, racerId: 11).racer
        #expect(racer == Neighbourhood(entry: e11, above: [e12], below: [e13, e14]))
        #expect(racer?.neighbours == [e12, e13, e14])
    }

    @Test func theLeaderAndTheLastHaveNeighboursOnOneSide() {
        let engine = CraftedRace.engine()
        #expect(engine.hereNow(classId: 2, limit: 1, racerId: 12).racer == Neighbourhood(entry: e12, above: [], below: [e11, e13]))
        #expect(engine.hereNow(classId: 2, limit: 1, racerId: 14).racer == Neighbourhood(entry: e14, above: [e11, e13], below: []))
    }

    @Test func tiesAreOrderedByRacerId() {
        let engine = RankingEngine()
        _ = engine.ingest(
            [
                // All four put out 85: (50 + 35) * (35 + 65) / 100 = (33 + 35) * (60 + 65) / 100.
                message(racer: 40, second: 1, cadence: "50", resistance: "35"),
                message(racer: 7, second: 1, cadence: "33", resistance: "60"),
                message(racer: 39, second: 1, cadence: "50", resistance: "35"),
                message(racer: 1, second: 1, cadence: "33", resistance: "60"),
            ], arrivalMillis: 0, nowMillis: 0)
        let view = engine.hereNow(classId: 2, limit: 10)
        #expect(view.leaders.map(\.racerId) == [1, 7, 39, 40])
        #expect(view.leaders.map(\.rank) == [1, 2, 3, 4])
        #expect(view.leaders.allSatisfy { $0.output == 85 })
    }

    @Test func anUnknownRacerOrClassHasNoRacerPart() {
        let engine = CraftedRace.engine()
        #expect(engine.hereNow(classId: 2, limit: 4, racerId: 999).racer == nil)
        #expect(engine.hereNow(classId: 2, limit: 4, racerId: 999).total == 4)
        #expect(engine.hereNow(classId: 3, limit: 4, racerId: 11) == HereNowView(
            classId: 3, raceId: nil, second: 0, total: 0, leaders: [], racer: nil))
        #expect(engine.hereNow(classId: 9, limit: 4, racerId: 11).racer == nil)
    }
}
