import Testing
import RaceModel

@Suite struct UTCTimeTests {
    /// Every format of one time, milliseconds dropped (never rounded up to the next second).
    @Test func eachFormatOfOneTime() {
        let time = UTCTime(millis: 1_700_000_000_999)
        #expect(time.pathPrefix == "2023/11/14/22")
        #expect(time.stamp == "2023-11-14-22-13-20")
        #expect(time.readable == "2023-11-14 22:13:20")
        #expect(time.iso == "2023-11-14T22:13:20Z")
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (951_782_400_000, "2000-02-29T00:00:00Z"),
        (1_709_164_800_000, "2024-02-29T00:00:00Z"),
        (4_102_444_799_000, "2099-12-31T23:59:59Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00Z"),
    ])
    func calendarEdges(millis: Int64, iso: String) {
        #expect(UTCTime(millis: millis).iso == iso)
    }
}
