import KinesisWire

/// DescribeStream's request: StreamName or StreamARN, Limit 1...10,000 shards a page
/// (default 100), ExclusiveStartShardId.
struct DescribeStreamInput {
    var stream = StreamTarget()
    var limit = 100
    var exclusiveStartShardId: String?

    init(json: [UInt8]) throws(KinesisAPIError) {
        var stream = StreamTarget()
        var limit: Int64?
        var exclusiveStartShardId: String?
        try readRequest(json) { reader, member in
            if try stream.read(member, &reader) { return }
            switch member {
            case "Limit": limit = try reader.optionalInteger("Limit")
            case "ExclusiveStartShardId": exclusiveStartShardId = try reader.optionalString("ExclusiveStartShardId")
            default: try reader.skipValue()
            }
        }
        self.stream = stream
        self.exclusiveStartShardId = exclusiveStartShardId
        if let size = try pageSize(limit, field: "limit", range: 1...10_000) { self.limit = size }
    }
}

/// ListStreams' request: Limit 1...10,000 (default 100), ExclusiveStartStreamName, NextToken.
struct ListStreamsInput {
    var limit = 100
    var exclusiveStartStreamName: String?
    var nextToken: String?

    init(json: [UInt8]) throws(KinesisAPIError) {
        var limit: Int64?
        var exclusiveStartStreamName: String?
        var nextToken: String?
        try readRequest(json) { reader, member in
            switch member {
            case "Limit": limit = try reader.optionalInteger("Limit")
            case "ExclusiveStartStreamName": exclusiveStartStreamName = try reader.optionalString("ExclusiveStartStreamName")
            case "NextToken": nextToken = try reader.optionalString("NextToken")
            default: try reader.skipValue()
            }
        }
        self.exclusiveStartStreamName = exclusiveStartStreamName
        self.nextToken = nextToken
        if let size = try pageSize(limit, field: "limit", range: 1...10_000) { self.limit = size }
    }
}
