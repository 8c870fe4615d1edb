import Foundation
import Testing
@testable import RaceModel

@Suite struct RosterTests {
    @Test func namesAreFixed() {
        #expect(Roster.name(of: 0) == Roster.name(of: 0))
        #expect((0..<5).map(Roster.name(of:)) == ["Aaliyah", "Hugo", "Jose", "Priya", "Mateo"])
        #expect(Roster.name(of: 40_000) == "Racer 40000")
        #expect(Roster.name(of: -1) == "Racer -1")
    }

    @Test func dataFileMatchesTheGenerator() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("data/roster.tsv"), encoding: .utf8)
        #expect(file == Roster.tsv())
        #expect(file.split(separator: "\n").count == 40_001)
    }

    @Test func classesHaveNames() {
        #expect(ExerciseClass.all.map(\.id) == [1, 2, 3, 4, 5, 6])
        #expect(ExerciseClass.withId(4)?.name == "Hill Climb")
        #expect(ExerciseClass.withId(7) == nil)
    }

    @Test func raceIdIsTheFiveMinuteWindow() {
        #expect(RaceSchedule.raceId(atMillis: 1_700_000_000_000) == 5_666_666)
        #expect(RaceSchedule.raceId(atMillis: 1_699_999_800_000) == 5_666_666)
        #expect(RaceSchedule.raceId(atMillis: 1_699_999_799_999) == 5_666_665)
        #expect(RaceSchedule.startMillis(ofRace: 5_666_666) == 1_699_999_800_000)
    }
}
