import RaceModel

/// What the plausibility screen needs of a transformed record.
public struct ScreenedRecord: Sendable, Equatable {
    public var raceId: Int64
    public var racerId: Int
    public var classId: Int
    public var second: Int
    public var cadence: DecimalNumber
    public var resistance: DecimalNumber
    public var output: DecimalNumber

    public init(_ message: RaceMessage) {
        raceId = message.raceId
        racerId = message.racerId
        classId = message.classId
        second = message.second
        cadence = message.cadence
        resistance = message.resistance
        output = message.output ?? message.computedOutput
    }
}

/// Checks each record the processor passed against its class's limits (`Plausibility`):
/// cadence and resistance, and the change of output from the racer's previous second,
/// when the record of that second came through before it. Records are screened in the
/// order the firehose reads them, one at a time, so the outcome does not depend on threads.
struct PlausibilityScreen {
    let plausibility: Plausibility
    /// Named as the processor in the processing-failed lines of the records it sets aside.
    static let name = "plausibility-limits"
    /// Each racer's latest accepted record.
    private var latest: [Int: (raceId: Int64, classId: Int, second: Int, output: DecimalNumber)] = [:]

    /// Racers remembered before the oldest are forgotten (a day of 40,000 riders is far below).
    static let rememberedRacers = 1 << 20

    init(plausibility: Plausibility) {
        self.plausibility = plausibility
    }

    /// Nil when the record is within the limits (it becomes the racer's latest).
    mutating func check(_ record: ScreenedRecord) -> PlausibilityViolation? {
        if let violation = plausibility.check(classId: record.classId, cadence: record.cadence, resistance: record.resistance) {
            return violation
        }
        let previous = latest[record.racerId]
        if let previous, previous.raceId == record.raceId, previous.classId == record.classId, previous.second == record.second - 1,
           let violation = plausibility.checkJump(
               classId: record.classId, output: record.output, previousSecond: previous.second, previousOutput: previous.output) {
            return violation
        }
        if let previous, previous.raceId > record.raceId || (previous.raceId == record.raceId && previous.second >= record.second) {
            return nil
        }
        if previous == nil, latest.count >= Self.rememberedRacers { latest.removeAll(keepingCapacity: true) }
        latest[record.racerId] = (record.raceId, record.classId, record.second, record.output)
        return nil
    }

    /// Reads what another processor made of a record (one JSON line); nil when it is not a rider record.
    static func read(_ bytes: ArraySlice<UInt8>, rules: RecordRules) -> ScreenedRecord? {
        var line = bytes
        while let last = line.last, last == 0x0A || last == 0x0D || last == 0x20 { line = line.dropLast() }
        guard let message = try? RecordParser.parse(line, rules: rules) else { return nil }
        return ScreenedRecord(message)
    }
}
