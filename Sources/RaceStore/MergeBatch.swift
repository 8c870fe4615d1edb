/// What the merger commits to the store in one transaction: the samples read
/// from some delivered objects, and those objects' keys for the ledger.
public struct MergeBatch: Sendable {
    public var samples: [RaceKey: [Int: RacerSamples]]
    public var objectKeys: [String]

    public init(samples: [RaceKey: [Int: RacerSamples]] = [:], objectKeys: [String] = []) {
        self.samples = samples
        self.objectKeys = objectKeys
    }

    public var isEmpty: Bool { samples.isEmpty && objectKeys.isEmpty }

    /// Number of samples over all races and racers.
    public var sampleCount: Int {
        samples.values.reduce(0) { sum, racers in
            racers.values.reduce(sum) { $0 + $1.samples.count }
        }
    }

    public mutating func add(
        raceId: Int64, classId: Int, racerId: Int, name: String,
        second: Int, output: Double, isFinal: Bool, deviceTimestamp: Int64
    ) {
        let sample = SecondSample(second: second, output: output, isFinal: isFinal)
        let key = RaceKey(raceId: raceId, classId: classId)
        // Nested defaulted subscripts mutate in place, without copying the racer's array.
        samples[key, default: [:]][racerId, default: RacerSamples(name: name, firstDeviceTimestamp: deviceTimestamp)]
            .append(sample, name: name, deviceTimestamp: deviceTimestamp)
    }
}

extension RacerSamples {
    mutating func append(_ sample: SecondSample, name: String, deviceTimestamp: Int64) {
        samples.append(sample)
        self.name = name
        firstDeviceTimestamp = min(firstDeviceTimestamp, deviceTimestamp)
    }
}
