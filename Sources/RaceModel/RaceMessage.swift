/// Contract 1: one rider message, one bike, one second.
public struct RaceMessage: Sendable, Equatable {
    public enum Event: String, Sendable, Equatable {
        case update
        case final
    }

    public var uuid: String?
    public var event: Event
    /// Milliseconds since the epoch, when the bike sent the message.
    public var deviceTimestamp: Int64
    /// Second of the race, 1...raceLength.
    public var second: Int
    public var raceId: Int64
    public var name: String
    public var racerId: Int
    public var classId: Int
    public var cadence: DecimalNumber
    public var resistance: DecimalNumber
    /// Present once the firehose transform has run.
    public var output: DecimalNumber?
    /// Members this schema does not know, kept verbatim (`"key":value` pairs joined
    /// by commas, whitespace outside strings removed) so they pass through untouched.
    public var unknownFields: [UInt8]

    public init(
        uuid: String? = nil, event: Event, deviceTimestamp: Int64, second: Int, raceId: Int64,
        name: String, racerId: Int, classId: Int, cadence: DecimalNumber, resistance: DecimalNumber,
        output: DecimalNumber? = nil, unknownFields: [UInt8] = []
    ) {
        self.uuid = uuid
        self.event = event
        self.deviceTimestamp = deviceTimestamp
        self.second = second
        self.raceId = raceId
        self.name = name
        self.racerId = racerId
        self.classId = classId
        self.cadence = cadence
        self.resistance = resistance
        self.output = output
        self.unknownFields = unknownFields
    }

    /// The transform's value for this message's cadence and resistance.
    public var computedOutput: DecimalNumber {
        DecimalNumber.output(cadence: cadence, resistance: resistance)
    }
}

/// Rules a record is checked against. The race length is configurable (default 300 s).
public struct RecordRules: Sendable, Equatable {
    public var raceLength: Int
    // Computed, not stored: a static let costs a lazy-initialisation check on every parse.
    public static var maximumCadence: DecimalNumber { DecimalNumber(mantissa: 1000, scale: 0) }
    public static var maximumResistance: DecimalNumber { DecimalNumber(mantissa: 1000, scale: 0) }

    public init(raceLength: Int = 300) {
        self.raceLength = raceLength
    }

    public static let standard = RecordRules()
}
