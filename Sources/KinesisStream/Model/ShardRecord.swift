import StreamReading

/// A record as stored in a shard and returned by GetRecords.
public struct ShardRecord: Sendable, Equatable {
    public let sequenceNumber: SequenceNumber
    /// When the stream accepted it, on the stream's clock.
    public let approximateArrivalMillis: Int64
    public let partitionKey: String
    public let data: RecordData

    public init(sequenceNumber: SequenceNumber, approximateArrivalMillis: Int64, partitionKey: String, data: RecordData) {
        self.sequenceNumber = sequenceNumber
        self.approximateArrivalMillis = approximateArrivalMillis
        self.partitionKey = partitionKey
        self.data = data
    }

    public var shardId: ShardID { ShardID(index: sequenceNumber.shardIndex) }
}

/// One record of a PutRecords call.
public struct PutRecordsRequestEntry: Sendable, Equatable {
    public var data: [UInt8]
    public var partitionKey: String
    public var explicitHashKey: String?

    public init(data: [UInt8], partitionKey: String, explicitHashKey: String? = nil) {
        self.data = data
        self.partitionKey = partitionKey
        self.explicitHashKey = explicitHashKey
    }
}

/// Per-record answer of PutRecords, in request order.
public enum PutRecordsResultEntry: Sendable, Equatable {
    case accepted(shardId: ShardID, sequenceNumber: SequenceNumber)
    case refused(errorCode: PutRecordErrorCode, errorMessage: String)

    public var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }
}

public enum PutRecordErrorCode: String, Sendable, Equatable {
    case provisionedThroughputExceeded = "ProvisionedThroughputExceededException"
    case internalFailure = "InternalFailure"
}

public struct PutRecordsResponse: Sendable, Equatable {
    public var failedPutCount: Int
    public var records: [PutRecordsResultEntry]

    public init(failedPutCount: Int, records: [PutRecordsResultEntry]) {
        self.failedPutCount = failedPutCount
        self.records = records
    }
}

/// Per shard write limits, per second of the stream's clock (Kinesis: 1,000 records, 1 MiB).
public struct ShardLimits: Sendable, Equatable {
    public var recordsPerSecond: Int
    public var bytesPerSecond: Int

    public init(recordsPerSecond: Int = 1000, bytesPerSecond: Int = 1 << 20) {
        self.recordsPerSecond = recordsPerSecond
        self.bytesPerSecond = bytesPerSecond
    }

    public static let kinesis = ShardLimits()
}

/// Limits of a single call, as in Kinesis.
public enum CallLimits {
    public static let maximumRecordsPerPut = 500
    public static let maximumRecordBytes = 1 << 20
    public static let maximumPutBytes = 5 << 20
    public static let partitionKeyLength = 1...256
    public static let maximumGetRecords = 10_000
    public static let maximumGetBytes = 10 << 20
}
