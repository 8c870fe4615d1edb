import RaceModel

/// Deterministic riders. Each racer has permanent cadence and resistance bounds
/// drawn from the seed (cadence within 30...90, resistance within 33...86); each
/// race draws that race's bounds inside them, and values move linearly from the
/// race's low to its high. Values are in tenths (one decimal place).
public struct RiderModel: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
    }

    public struct Bounds: Sendable, Equatable {
        public var low: Int
        public var high: Int
    }

    public struct RaceProfile: Sendable, Equatable {
        public var cadence: Bounds
        public var resistance: Bounds

        /// Value in tenths at `second` of a race of `length` seconds.
        @inline(__always)
        static func value(_ bounds: Bounds, second: Int, length: Int) -> Int {
            guard length > 1 else { return bounds.low }
            return bounds.low + (bounds.high - bounds.low) * (second - 1) / (length - 1)
        }

        public func cadence(atSecond second: Int, of length: Int) -> DecimalNumber {
            DecimalNumber(mantissa: Int64(Self.value(cadence, second: second, length: length)), scale: 1)
        }

        public func resistance(atSecond second: Int, of length: Int) -> DecimalNumber {
            DecimalNumber(mantissa: Int64(Self.value(resistance, second: second, length: length)), scale: 1)
        }
    }

    /// The racer's lifetime bounds, in tenths.
    public func permanentBounds(racerId: Int) -> RaceProfile {
        var rng = SplitMix64(seed: SplitMix64.mix(seed ^ 0x7065_726D) ^ UInt64(racerId))
        let cadenceLow = Self.draw(&rng, 300...600)
        let cadenceHigh = Self.draw(&rng, (cadenceLow + 100)...900)
        let resistanceLow = Self.draw(&rng, 330...600)
        let resistanceHigh = Self.draw(&rng, (resistanceLow + 100)...860)
        return RaceProfile(
            cadence: Bounds(low: cadenceLow, high: cadenceHigh),
            resistance: Bounds(low: resistanceLow, high: resistanceHigh))
    }

    /// This race's bounds, inside the racer's lifetime bounds.
    public func raceProfile(racerId: Int, raceId: Int64) -> RaceProfile {
        let permanent = permanentBounds(racerId: racerId)
        var rng = SplitMix64(seed: SplitMix64.mix(seed ^ UInt64(bitPattern: raceId)) ^ UInt64(racerId))
        return RaceProfile(
            cadence: Self.narrow(permanent.cadence, &rng),
            resistance: Self.narrow(permanent.resistance, &rng))
    }

    private static func narrow(_ bounds: Bounds, _ rng: inout SplitMix64) -> Bounds {
        let middle = (bounds.low + bounds.high) / 2
        let low = draw(&rng, bounds.low...middle)
        let high = draw(&rng, middle...bounds.high)
        return Bounds(low: low, high: high)
    }

    static func draw(_ rng: inout SplitMix64, _ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.count))
    }
}
