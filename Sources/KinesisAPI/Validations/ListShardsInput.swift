import KinesisStream
import KinesisWire

/// Which shards ListShards gives (its `ShardFilter`), as Kinesis defines the types: a
/// shard is open at a time T when it was made at or before T and not closed by T.
enum ShardFilter: Equatable {
    /// Every shard, open and closed (no filter).
    case all
    /// The shards after this one (by id), open and closed.
    case afterShardId(String)
    /// Those open at the trim horizon (now minus the retention period).
    case atTrimHorizon
    /// Those open at the trim horizon or made since.
    case fromTrimHorizon
    /// Those open now.
    case atLatest
    case atTimestamp(Int64)
    case fromTimestamp(Int64)

    func keeps(_ shard: ShardDescription, trimHorizonMillis: Int64) -> Bool {
        func openAt(_ millis: Int64) -> Bool { shard.createdMillis <= millis && (shard.closedMillis.map { $0 > millis } ?? true) }
        func openAtOrAfter(_ millis: Int64) -> Bool { shard.closedMillis.map { $0 > millis } ?? true }
        return switch self {
        case .all, .afterShardId: true
        case .atTrimHorizon: openAt(trimHorizonMillis)
        case .fromTrimHorizon: openAtOrAfter(trimHorizonMillis)
        case .atLatest: shard.isOpen
        case let .atTimestamp(millis): openAt(millis)
        case let .fromTimestamp(millis): openAtOrAfter(millis)
        }
    }

    /// The filter as a NextToken carries it, and back.
    var token: String {
        switch self {
        case .all: ""
        case let .afterShardId(shard): "AFTER_SHARD_ID=\(shard)"
        case .atTrimHorizon: "AT_TRIM_HORIZON"
        case .fromTrimHorizon: "FROM_TRIM_HORIZON"
        case .atLatest: "AT_LATEST"
        case let .atTimestamp(millis): "AT_TIMESTAMP=\(millis)"
        case let .fromTimestamp(millis): "FROM_TIMESTAMP=\(millis)"
        }
    }

    init?(token: String) {
        let parts = token.split(separator: "=", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count > 1 ? parts[1] : nil) {
        case ("", nil): self = .all
        case let ("AFTER_SHARD_ID", shard?): self = .afterShardId(shard)
        case ("AT_TRIM_HORIZON", nil): self = .atTrimHorizon
        case ("FROM_TRIM_HORIZON", nil): self = .fromTrimHorizon
        case ("AT_LATEST", nil): self = .atLatest
        case let ("AT_TIMESTAMP", millis?): guard let millis = Int64(millis) else { return nil }; self = .atTimestamp(millis)
        case let ("FROM_TIMESTAMP", millis?): guard let millis = Int64(millis) else { return nil }; self = .fromTimestamp(millis)
        default: return nil
        }
    }
}

/// ListShards' request: StreamName or StreamARN, or a NextToken from an earlier
/// answer (not both); MaxResults 1...10,000 (default 1,000); ExclusiveStartShardId;
/// ShardFilter (Type, and ShardId or Timestamp when the type needs one).
struct ListShardsInput {
    var stream = StreamTarget()
    var nextToken: String?
    var maxResults = 1000
    var exclusiveStartShardId: String?
    var filter = ShardFilter.all

    static let filterTypes = ["AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"]

    init(json: [UInt8]) throws(KinesisAPIError) {
        var stream = StreamTarget()
        var nextToken: String?
        var maxResults: Int64?
        var exclusiveStartShardId: String?
        var filterType: String?
        var filterShardId: String?
        var filterTimestamp: Int64?
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
                    case "Timestamp": filterTimestamp = try reader.optionalTimestamp("ShardFilter.Timestamp")
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
            if nextToken != nil {
                throw .invalidArgument("NextToken and ShardFilter cannot be provided together: the NextToken carries the filter of the first call")
            }
            switch filterType {
            case "AFTER_SHARD_ID":
                guard let filterShardId else { throw .invalidArgument("ShardFilter of type AFTER_SHARD_ID needs a ShardId") }
                filter = .afterShardId(filterShardId)
            case "AT_TIMESTAMP", "FROM_TIMESTAMP":
                guard let filterTimestamp else { throw .invalidArgument("ShardFilter of type \(filterType) needs a Timestamp") }
                filter = filterType == "AT_TIMESTAMP" ? .atTimestamp(filterTimestamp) : .fromTimestamp(filterTimestamp)
            case "AT_TRIM_HORIZON": filter = .atTrimHorizon
            case "FROM_TRIM_HORIZON": filter = .fromTrimHorizon
            default: filter = .atLatest
            }
        }
        self.stream = stream
        self.nextToken = nextToken
        self.exclusiveStartShardId = exclusiveStartShardId
    }
}
