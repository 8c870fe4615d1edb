#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import RaceModel

/// When the firehose delivers: once `sizeInMBs` MiB of transformed records are
/// buffered or `intervalInSeconds` have passed since the oldest buffered record
/// entered the buffer, whichever comes first.
public struct BufferingHints: Sendable, Equatable {
    public var sizeInMBs: Int
    public var intervalInSeconds: Int

    public static let sizeRange = 1...128
    public static let intervalRange = 0...900

    public init(sizeInMBs: Int = 1, intervalInSeconds: Int = 60) throws(FirehoseConfigurationError) {
        guard BufferingHints.sizeRange.contains(sizeInMBs) else {
            throw FirehoseConfigurationError("SizeInMBs is \(sizeInMBs), must be 1 to 128")
        }
        guard BufferingHints.intervalRange.contains(intervalInSeconds) else {
            throw FirehoseConfigurationError("IntervalInSeconds is \(intervalInSeconds), must be 0 to 900")
        }
        self.sizeInMBs = sizeInMBs
        self.intervalInSeconds = intervalInSeconds
    }

    public static let standard = try! BufferingHints()

    public var sizeInBytes: Int { sizeInMBs << 20 }
    public var intervalMillis: Int64 { Int64(intervalInSeconds) * 1000 }
}

public struct FirehoseConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Everything that shapes a delivery stream besides its source, processor and bucket.
public struct DeliveryStreamConfiguration: Sendable {
    public var name: String
    public var bufferingHints: BufferingHints
    /// Most input bytes handed to the processor in one invocation (3 MiB, as the original).
    public var invocationCapBytes: Int
    /// Retries of a failed invocation before its records go to processing-failed/.
    public var processorRetries: Int
    /// gzip level of delivered objects, 1 (fastest) to 9 (smallest). Level 1 by default:
    /// these objects feed the merger, and level 6 would make gzip most of a race's cost
    /// for objects only a third smaller. (History files, which frontends download, use 6.)
    public var compressionLevel: Int32
    /// Objects compressed and written at once (one per core by default).
    public var parallelDeliveries: Int
    /// The stream consumer name, so the firehose's position is its own.
    public var consumerName: String
    /// Mixed into object names' uuids. Random by default, so two runs never share a
    /// name; fixed in tests to pin exact keys.
    public var objectKeySeed: UInt64
    /// Records the processor passed that break their class's limits are set aside under
    /// processing-failed/ with the limit (errorCode `Alleycat.PlausibilityLimit`); nil keeps them.
    public var plausibility: Plausibility?

    public static let defaultName = "alleycat-data-firehose"

    public init(
        name: String = DeliveryStreamConfiguration.defaultName, bufferingHints: BufferingHints = .standard,
        invocationCapBytes: Int = 3 << 20, processorRetries: Int = 3, compressionLevel: Int32 = 1,
        parallelDeliveries: Int = DeliveryStreamConfiguration.processorCount, consumerName: String = "firehose",
        objectKeySeed: UInt64 = UInt64.random(in: 0...UInt64.max), plausibility: Plausibility? = .standard
    ) {
        self.name = name
        self.bufferingHints = bufferingHints
        self.invocationCapBytes = invocationCapBytes
        self.processorRetries = processorRetries
        self.compressionLevel = compressionLevel
        self.parallelDeliveries = max(1, parallelDeliveries)
        self.consumerName = consumerName
        self.objectKeySeed = objectKeySeed
        self.plausibility = plausibility
    }

    public static var processorCount: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
