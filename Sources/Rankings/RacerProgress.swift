/// One rider in their class's current race.
public struct RacerProgress: Sendable, Equatable {
    public let racerId: Int
    public let classId: Int
    public let raceId: Int64
    /// The highest second reported; a late message for an earlier second never lowers it.
    public let latestSecond: Int
    /// Output at `latestSecond`.
    public let latestOutput: Double
    /// Highest output over the seconds reported.
    public let best: Double
    /// Output by second (index second - 1) through `latestSecond`; nil where none arrived.
    public let outputs: [Double?]

    public init(
        racerId: Int, classId: Int, raceId: Int64, latestSecond: Int, latestOutput: Double, best: Double,
        outputs: [Double?]
    ) {
        self.racerId = racerId
        self.classId = classId
        self.raceId = raceId
        self.latestSecond = latestSecond
        self.latestOutput = latestOutput
        self.best = best
        self.outputs = outputs
    }

    /// The output at `second`, if one arrived.
    public func output(atSecond second: Int) -> Double? {
        second >= 1 && second <= outputs.count ? outputs[second - 1] : nil
    }
}
