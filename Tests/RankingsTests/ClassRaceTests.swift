import Testing
import RaceModel
@testable import Rankings

@Suite struct ClassRaceTests {
    @Test func aLateJoinerGetsTheNextSlotAndGapsStayEmpty() {
        var race = ClassRace(classId: 4, raceLength: 5)
        race.start(raceId: 1)
        let advanced = [
            race.record(racerId: 8, second: 1, output: DecimalNumber(50)),
            race.record(racerId: 8, second: 2, output: DecimalNumber(60)),
            // Racer 3 joins at second 2, after second 1's column was filled.
            race.record(racerId: 3, second: 2, output: DecimalNumber(70)),
        ]
        #expect(advanced == [true, true, false])
        #expect(race.slots == [8: 0, 3: 1])
        #expect(race.currentSecond == 2)
        #expect(race.output(slot: 1, second: 1) == nil)
        #expect(race.output(slot: 1, second: 2) == 70)
        #expect(race.output(slot: 0, second: 3) == nil)
        #expect(race.liveOutputs(atSecond: 2).map(\.racerId) == [8, 3])
        #expect(race.liveOutputs(atSecond: 1).map(\.output) == [50])
        #expect(race.liveOutputs(atSecond: 6).isEmpty)
        #expect(race.isLive(racerId: 3, atSecond: 2))
        #expect(!race.isLive(racerId: 3, atSecond: 1))
        #expect(!race.isLive(racerId: 4, atSecond: 2))
    }

    @Test func startingARaceForgetsTheLastAndInvalidatesCaches() {
        var race = ClassRace(classId: 4, raceLength: 5)
        race.start(raceId: 1)
        _ = race.record(racerId: 8, second: 3, output: DecimalNumber(50))
        let standings = HereNowStandings(raceId: 1, second: 3, keys: race.standingKeys())
        let installed = race.publish(standings)
        #expect(installed)
        let generation = race.generation
        race.start(raceId: 2)
        #expect(race.generation == generation + 1)
        #expect(race.published == nil)
        #expect(race.racers.isEmpty && race.currentSecond == 0)
        #expect(race.progress(racerId: 8) == nil)
        // Standings sorted for race 1 while race 2 started are not installed.
        let stale = race.publish(standings)
        #expect(!stale)
    }

    @Test func olderStandingsDoNotReplaceNewerOnes() {
        var race = ClassRace(classId: 1, raceLength: 5)
        race.start(raceId: 1)
        _ = race.record(racerId: 8, second: 2, output: DecimalNumber(50))
        let newer = race.publish(HereNowStandings(raceId: 1, second: 2, keys: race.standingKeys()))
        let older = race.publish(HereNowStandings(raceId: 1, second: 1, keys: race.standingKeys()))
        #expect(newer && !older)
        #expect(race.published?.second == 2)
    }
}
