/// The samples of one racer in one race that a `MergeBatch` carries.
public struct RacerSamples: Sendable, Equatable {
    /// The name from the last sample added.
    public var name: String
    /// In any order; a second may repeat (the highest output wins).
    public var samples: [SecondSample]
    /// Smallest device timestamp (ms since epoch) among the samples.
    public var firstDeviceTimestamp: Int64

    public init(name: String, samples: [SecondSample] = [], firstDeviceTimestamp: Int64) {
        self.name = name
        self.samples = samples
        self.firstDeviceTimestamp = firstDeviceTimestamp
    }
}
