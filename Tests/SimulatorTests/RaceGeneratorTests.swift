import KinesisStream
import RaceModel
import Testing
@testable import Simulator

@Suite struct RaceGeneratorTests {
    func allRecords(_ plan: SimulationPlan) -> [PutRecordsRequestEntry] {
        let generator = RaceGenerator(plan: plan)
        var keys = SplitMix64(seed: 3)
        var entries: [PutRecordsRequestEntry] = []
        for race in 0..<plan.races {
            let profiles = generator.profiles(race: race)
            for second in 1...plan.seconds {
                generator.records(race: race, second: second, profiles: profiles, keys: &keys, into: &entries)
            }
        }
        return entries
    }

    @Test func sameSeedSameBytes() {
        let plan = SimulationPlan(racers: 30, classes: [1, 4], seconds: 20, races: 2, seed: 5, startMillis: 1_700_000_000_000)
        let first = allRecords(plan)
        #expect(first == allRecords(plan))
        #expect(first.count == 30 * 20 * 2)
        var other = plan
        other.seed = 6
        #expect(allRecords(other).map(\.data) != first.map(\.data))
    }

    @Test func messagesFollowTheContract() throws {
        let plan = SimulationPlan(racers: 3, classes: [2, 5], seconds: 4, races: 2, seed: 9, startMillis: 1_700_000_000_000)
        let messages = try allRecords(plan).map { try RecordParser.parse($0.data, rules: RecordRules(raceLength: 4)) }
        // Racer index i rides classes[i % 2]; the last second of each race is final.
        #expect(messages.prefix(3).map(\.classId) == [2, 5, 2])
        #expect(messages.map(\.event).filter { $0 == .final }.count == 6)
        #expect(messages[9].event == .final && messages[9].second == 4)
        #expect(messages[0].raceId == 5_666_666 && messages[12].raceId == 5_666_667)
        #expect(messages[3].deviceTimestamp == 1_700_000_001_000)
        #expect(messages[1].name == Roster.name(of: 1))
        #expect(messages.allSatisfy { $0.cadence >= DecimalNumber(30) && $0.cadence <= DecimalNumber(90) })
        #expect(messages.allSatisfy { $0.resistance >= DecimalNumber(33) && $0.resistance <= DecimalNumber(86) })
    }

    @Test func partitionKeyStrategies() {
        var plan = SimulationPlan(racers: 4, classes: [1, 3], seconds: 2, seed: 1, startMillis: 1_700_000_000_000, partitionKey: .time)
        #expect(allRecords(plan).map(\.partitionKey) == ["1700000000", "1700000000", "1700000000", "1700000000",
                                                         "1700000001", "1700000001", "1700000001", "1700000001"])
        plan.partitionKey = .class
        #expect(allRecords(plan).prefix(4).map(\.partitionKey) == ["class-1", "class-3", "class-1", "class-3"])
        plan.partitionKey = .random
        let keys = allRecords(plan).map(\.partitionKey)
        #expect(Set(keys).count == 8)
        #expect(keys.allSatisfy { $0.count == 12 && $0.allSatisfy(\.isHexDigit) })
    }

    @Test func plansRefuseWhatCannotRun() {
        let plan = SimulationPlan(startMillis: 0)
        func problem(_ change: (inout SimulationPlan) -> Void) -> String? {
            var copy = plan
            change(&copy)
            return copy.problem()
        }
        #expect(plan.problem() == nil)
        #expect(problem { $0.racers = 0 } == "--racers must be at least 1, got 0")
        #expect(problem { $0.classes = [7] } == "--class 7 is not a class: classes are 1 to 6")
        #expect(problem { $0.classes = [1, 1] } == "--class lists a class twice: 1,1")
        #expect(problem { $0.classes = [] } == "give at least one --class (1 to 6)")
        #expect(problem { $0.seconds = 0 } == "--seconds must be 1 to 3600, got 0")
        #expect(problem { $0.batchSize = 501 } == "--batch must be 1 to 500 (the PutRecords limit), got 501")
    }
}
