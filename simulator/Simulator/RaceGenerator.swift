import KinesisStream
import RaceModel

/// Builds the messages of a plan, one race second at a time, straight to bytes.
public struct RaceGenerator: Sendable {
    public let plan: SimulationPlan
    public let riders: RiderModel
    private let names: [String]

    public init(plan: SimulationPlan) {
        self.plan = plan
        self.riders = RiderModel(seed: plan.seed)
        self.names = (0..<plan.racers).map { Roster.name(of: plan.firstRacerId + $0) }
    }

    /// Each racer's bounds for race `race` (index in the plan), computed once per race.
    public func profiles(race: Int) -> [RiderModel.RaceProfile] {
        let raceId = plan.raceId(race)
        return (0..<plan.racers).map { riders.raceProfile(racerId: plan.firstRacerId + $0, raceId: raceId) }
    }

    /// The message of racer `index` at `second` of race `race`.
    public func message(race: Int, second: Int, racerIndex index: Int, profile: RiderModel.RaceProfile) -> RaceMessage {
        RaceMessage(
            event: second == plan.seconds ? .final : .update,
            deviceTimestamp: sendMillis(race: race, second: second),
            second: second,
            raceId: plan.raceId(race),
            name: names[index],
            racerId: plan.firstRacerId + index,
            classId: plan.classId(ofRacerAt: index),
            cadence: profile.cadence(atSecond: second, of: plan.seconds),
            resistance: profile.resistance(atSecond: second, of: plan.seconds))
    }

    /// When second `second` of race `race` is sent.
    public func sendMillis(race: Int, second: Int) -> Int64 {
        plan.raceStartMillis(race) + Int64(second - 1) * 1000
    }

    /// Appends every racer's record for one second, with its partition key.
    public func records(
        race: Int, second: Int, profiles: [RiderModel.RaceProfile], keys: inout SplitMix64,
        into entries: inout [PutRecordsRequestEntry]
    ) {
        let timeKey = plan.partitionKey == .time ? String(sendMillis(race: race, second: second) / 1000) : ""
        for index in 0..<plan.racers {
            let message = message(race: race, second: second, racerIndex: index, profile: profiles[index])
            let data = RecordWriter.bytes(message)
            let key: String
            switch plan.partitionKey {
            case .random: key = Self.randomKey(&keys)
            case .time: key = timeKey
            case .class: key = Self.classKeys[message.classId]
            }
            entries.append(PutRecordsRequestEntry(data: data, partitionKey: key))
        }
    }

    private static let classKeys = (0...6).map { "class-\($0)" }

    /// Twelve hex digits: short enough to stay an inline (allocation-free) String.
    static func randomKey(_ rng: inout SplitMix64) -> String {
        var value = rng.next()
        return String(unsafeUninitializedCapacity: 12) { buffer in
            for i in 0..<12 {
                let nibble = UInt8(value & 0xF)
                buffer[11 - i] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
                value >>= 4
            }
            return 12
        }
    }
}
