import KinesisStream
import KinesisWire

/// GetRecords' request: ShardIterator (1 to 512 characters), Limit 1...10,000
/// (default 10,000), optional StreamARN.
struct GetRecordsInput {
    var shardIterator: String
    var limit: Int
    var streamARN: String?

    init(json: [UInt8]) throws(KinesisAPIError) {
        var iterator: String?
        var limit: Int64?
        var arn: String?
        try readRequest(json) { reader, member in
            switch member {
            case "ShardIterator": iterator = try reader.optionalString("ShardIterator")
            case "Limit": limit = try reader.optionalInteger("Limit")
            case "StreamARN": arn = try reader.optionalString("StreamARN")
            default: try reader.skipValue()
            }
        }
        guard let iterator else { throw missing("shardIterator") }
        guard (1...512).contains(iterator.utf8.count) else {
            throw constraintError("shardIterator", value: iterator, "Member must have length between 1 and 512")
        }
        self.limit = try pageSize(limit, field: "limit", range: 1...CallLimits.maximumGetRecords) ?? CallLimits.maximumGetRecords
        self.shardIterator = iterator
        self.streamARN = arn
    }
}
