/// A record as a reader gets it from any source.
public struct StreamRecord: Sendable, Equatable {
    public let shardId: String
    public let sequenceNumber: RecordSequence
    /// When the stream accepted it, in epoch milliseconds.
    public let approximateArrivalMillis: Int64
    public let partitionKey: String
    public let data: RecordData

    public init(shardId: String, sequenceNumber: RecordSequence, approximateArrivalMillis: Int64, partitionKey: String, data: RecordData) {
        self.shardId = shardId
        self.sequenceNumber = sequenceNumber
        self.approximateArrivalMillis = approximateArrivalMillis
        self.partitionKey = partitionKey
        self.data = data
    }
}
