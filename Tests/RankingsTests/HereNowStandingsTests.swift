import Testing
@testable import Rankings

@Suite struct HereNowStandingsTests {
    typealias Key = HereNowStandings.Key

    @Test func sortsByOutputThenRacerIdAndIndexesSlots() {
        let standings = HereNowStandings(raceId: 1, second: 2, keys: [
            Key(output: 80, best: 90, racerId: 5, second: 2, slot: 0),
            Key(output: 95.5, best: 95.5, racerId: 9, second: 2, slot: 1),
            Key(output: 80, best: 80, racerId: 2, second: 1, slot: 2),
        ])
        #expect(standings.entries == [
            HereNowView.Entry(rank: 1, racerId: 9, output: 95.5, best: 95.5, second: 2),
            HereNowView.Entry(rank: 2, racerId: 2, output: 80, best: 80, second: 1),
            HereNowView.Entry(rank: 3, racerId: 5, output: 80, best: 90, second: 2),
        ])
        #expect(standings.positionOfSlot == [2, 0, 1])
        #expect(standings.position(ofSlot: 2, racerId: 2) == 1)
        // A slot from another race, or one that joined after the sort, is not trusted.
        #expect(standings.position(ofSlot: 2, racerId: 7) == nil)
        #expect(standings.position(ofSlot: 3, racerId: 2) == nil)
    }
}
