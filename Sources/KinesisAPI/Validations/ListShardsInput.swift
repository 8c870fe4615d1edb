import KinesisStream
import KinesisWire

/// ListShards' request: StreamName or StreamARN, or a NextToken from an earlier
/// answer (not both); MaxResults 1...10,000 (default 1,000); ExclusiveStartShardId;
/// ShardFilter. Every shard here is open, so each filter type keeps them all
/// (AFTER_SHARD_ID keeps those after its ShardId).
struct ListShardsInput {
    var stream = StreamTarget()
    var nextToken: String?
    var maxResults = 1000
    var exclusiveStartShardId: String?
    var filterType: String?
    var filterShardId: String?

    static let filterTypes = ["AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"]

    init(json: [UInt8]) throws(KinesisAPIError) {
        var stream = StreamTarget()
        var nextToken: String?
        var maxResults: Int64?
        var exclusiveStartShardId: String?
        var filterType: String?
        var filterShardId: String?
        try readRequest(json) { reader, member in
            if try stream.read(member, &reader) { return }
            switch member {
            case "NextToken": nextToken = try reader.optionalString("NextToken")
            case "MaxResults": maxResults = try reader.optionalInteger("MaxResults")
            case "ExclusiveStartShardId": exclusiveStartShardId = try reader.optionalString("ExclusiveStartShardId")
            case "ShardFilter":
                if reader.readNull() { return }
                try reader.expectKind(.object, "ShardFilter")
                try reader.readObject { reader, member in
                    switch member {
                    case "Type": filterType = try reader.optionalString("ShardFilter.Type")
                    case "ShardId": filterShardId = try reader.optionalString("ShardFilter.ShardId")
                    default: try reader.skipValue()
                    }
                }
            default: try reader.skipValue()
            }
        }
        if let size = try pageSize(maxResults, field: "maxResults", range: 1...10_000) { self.maxResults = size }
        if nextToken != nil && stream.isGiven {
            throw .invalidArgument("NextToken and StreamName cannot be provided together: send the NextToken alone")
        }
        if nextToken == nil && !stream.isGiven {
            throw .validation("Either StreamName or StreamARN (or a NextToken) is required")
        }
        if let filterType {
            guard Self.filterTypes.contains(filterType) else {
                throw constraintError("shardFilter.type", value: filterType, "Member must satisfy enum value set: [\(Self.filterTypes.joined(separator: ", "))]")
            }
            if filterType == "AFTER_SHARD_ID" && filterShardId == nil {
                throw .invalidArgument("ShardFilter of type AFTER_SHARD_ID needs a ShardId")
            }
        }
        self.stream = stream
        self.nextToken = nextToken
        self.exclusiveStartShardId = exclusiveStartShardId
        self.filterType = filterType
        self.filterShardId = filterShardId
    }
}
