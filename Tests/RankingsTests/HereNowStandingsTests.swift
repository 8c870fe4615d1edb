import RaceModel
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

    private func key(_ output: Double, _ racerId: Int) -> HereNowStandings.Key {
        HereNowStandings.Key(output: output, best: output, racerId: racerId, second: 1, slot: 0)
    }

    @Test func ranksByOutputDescendingThenRacerId() {
        let keys = [key(10, 5), key(12.5, 9), key(10, 2), key(0, 1), key(-0.0, 0), key(-3, 4), key(12.5, 3), key(1e-300, 7)]
        let order = HereNowStandings.rankOrder(keys).map { keys[Int($0)].racerId }
        #expect(order == [3, 9, 2, 5, 7, 0, 1, 4])
    }

    @Test func theRadixOrderIsTheComparisonOrder() {
        var rng = SplitMix64(seed: 42)
        for size in [0, 1, 2, 3, 100, 5000] {
            let keys = (0..<size).map { index -> HereNowStandings.Key in
                // Few distinct outputs, so ties are common; racer ids sparse and unordered.
                let output = Double(rng.next() % 50) * 1.25 + (rng.next() % 7 == 0 ? 1e9 : 0)
                return key(output, Int(rng.next() % 1_000_000) * 3 + index % 3)
            }
            let expected = keys.indices.sorted { a, b in
                keys[a].output != keys[b].output ? keys[a].output > keys[b].output : keys[a].racerId < keys[b].racerId
            }
            #expect(HereNowStandings.rankOrder(keys).map(Int.init) == expected, "size \(size)")
        }
    }

    @Test func standingsFollowingTheLastOnesRankAsAFullSortDoes() {
        var rng = SplitMix64(seed: 7)
        var keys = (0..<2000).map { slot in
            HereNowStandings.Key(output: Double(rng.next() % 40), best: 0, racerId: Int(rng.next() % 100_000), second: 1, slot: Int32(slot))
        }
        var previous = HereNowStandings(raceId: 1, second: 1, keys: keys)
        for round in 0..<20 {
            // Some riders report a new output (often a tie), a few join.
            for _ in 0..<(round % 4 == 3 ? 900 : 60) {
                keys[Int(rng.next() % UInt64(keys.count))].output = Double(rng.next() % 40)
            }
            for _ in 0..<(round % 5) {
                keys.append(HereNowStandings.Key(output: Double(rng.next() % 40), best: 0, racerId: Int(rng.next() % 100_000), second: 1, slot: Int32(keys.count)))
            }
            let following = HereNowStandings(raceId: 1, second: 2, keys: keys, previous: previous)
            #expect(following.entries == HereNowStandings(raceId: 1, second: 2, keys: keys).entries, "round \(round)")
            #expect(following.positionOfSlot == HereNowStandings(raceId: 1, second: 2, keys: keys).positionOfSlot, "round \(round)")
            previous = following
        }
        // Standings of another race are not followed.
        let other = HereNowStandings(raceId: 2, second: 1, keys: keys, previous: previous)
        #expect(other.entries == HereNowStandings(raceId: 2, second: 1, keys: keys).entries)
    }
}
