/// One racer's output at one second of a race.
public struct SecondSample: Sendable, Equatable {
    /// Second of the race, from 1.
    public var second: Int
    public var output: Double
    /// True when the message was the race's "final" event.
    public var isFinal: Bool

    public init(second: Int, output: Double, isFinal: Bool = false) {
        self.second = second
        self.output = output
        self.isFinal = isFinal
    }
}
