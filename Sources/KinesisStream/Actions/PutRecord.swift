extension KinesisStream {
    /// PutRecord: one record; a throughput refusal throws for the call.
    public func putRecord(_ entry: PutRecordsRequestEntry) throws(StreamError) -> (shardId: ShardID, sequenceNumber: SequenceNumber) {
        let hashKey = try PutRecordsValidation.validateRecord(entry, label: { "record" })
        switch store([entry], hashKeys: [hashKey]).records[0] {
        case let .accepted(shardId, sequenceNumber):
            return (shardId, sequenceNumber)
        case let .refused(.provisionedThroughputExceeded, message):
            throw .provisionedThroughputExceeded(message)
        case let .refused(.internalFailure, message):
            throw .internalFailure(message)
        }
    }
}
