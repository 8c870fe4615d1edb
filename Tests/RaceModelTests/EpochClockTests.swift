import Testing
@testable import RaceModel

@Suite struct EpochClockTests {
    @Test func virtualClockMovesOnlyForward() {
        let clock = VirtualClock(startMillis: 1000)
        clock.sleep(untilMillis: 5000)
        #expect(clock.nowMillis() == 5000)
        clock.sleep(untilMillis: 2000)
        #expect(clock.nowMillis() == 5000)
        clock.advance(byMillis: 250)
        #expect(clock.nowMillis() == 5250)
    }

    @Test func scaledSystemClockStartsWhereToldAndSleepsNotAtAll() {
        let clock = SystemClock(startMillis: 1_700_000_000_000, factor: 1000)
        let now = clock.nowMillis()
        #expect(now >= 1_700_000_000_000)
        clock.sleep(untilMillis: now - 1)
        #expect(clock.nowMillis() >= now)
    }
}
