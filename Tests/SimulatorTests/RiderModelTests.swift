import RaceModel
import Testing
@testable import Simulator

@Suite struct RiderModelTests {
    @Test func boundsStayInsideTheOriginalRanges() {
        let riders = RiderModel(seed: 7)
        for racerId in 0..<2000 {
            let permanent = riders.permanentBounds(racerId: racerId)
            #expect((300...900).contains(permanent.cadence.low) && (300...900).contains(permanent.cadence.high))
            #expect(permanent.cadence.low < permanent.cadence.high)
            #expect((330...860).contains(permanent.resistance.low) && (330...860).contains(permanent.resistance.high))
            #expect(permanent.resistance.low < permanent.resistance.high)
            for raceId: Int64 in [5_666_666, 5_666_667] {
                let race = riders.raceProfile(racerId: racerId, raceId: raceId)
                #expect(race.cadence.low >= permanent.cadence.low && race.cadence.high <= permanent.cadence.high)
                #expect(race.cadence.low <= race.cadence.high)
                #expect(race.resistance.low >= permanent.resistance.low && race.resistance.high <= permanent.resistance.high)
            }
        }
    }

    @Test func valuesMoveLinearlyFromTheRacesLowToItsHigh() {
        let profile = RiderModel.RaceProfile(
            cadence: RiderModel.Bounds(low: 400, high: 700), resistance: RiderModel.Bounds(low: 500, high: 500))
        #expect(profile.cadence(atSecond: 1, of: 301) == DecimalNumber(mantissa: 400, scale: 1))
        #expect(profile.cadence(atSecond: 151, of: 301) == DecimalNumber(mantissa: 550, scale: 1))
        #expect(profile.cadence(atSecond: 301, of: 301) == DecimalNumber(mantissa: 700, scale: 1))
        #expect(profile.resistance(atSecond: 77, of: 301) == DecimalNumber(mantissa: 500, scale: 1))
        #expect(profile.cadence(atSecond: 1, of: 1) == DecimalNumber(mantissa: 400, scale: 1))
    }

    @Test func theSeedDecidesEverything() {
        let a = RiderModel(seed: 1), b = RiderModel(seed: 1), c = RiderModel(seed: 2)
        let ids = 0..<50
        #expect(ids.map { a.raceProfile(racerId: $0, raceId: 9) } == ids.map { b.raceProfile(racerId: $0, raceId: 9) })
        #expect(ids.map { a.raceProfile(racerId: $0, raceId: 9) } != ids.map { c.raceProfile(racerId: $0, raceId: 9) })
        #expect(ids.map { a.raceProfile(racerId: $0, raceId: 9) } != ids.map { a.raceProfile(racerId: $0, raceId: 10) })
    }
}
