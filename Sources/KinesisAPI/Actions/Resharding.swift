import KinesisStream
import KinesisWire

/// SplitShard's, MergeShards' and UpdateShardCount's requests: StreamName or StreamARN and
/// the members each action needs.
struct ReshardInput {
    enum Change {
        case split(shard: String, newStartingHashKey: String)
        case merge(shard: String, adjacent: String)
        case count(target: Int64)
    }

    var stream = StreamTarget()
    var change: Change

    init(json: [UInt8], action: KinesisAPI.Action) throws(KinesisAPIError) {
        var stream = StreamTarget()
        var strings: [String: String] = [:]
        var target: Int64?
        try readRequest(json) { reader, member in
            if try stream.read(member, &reader) { return }
            switch member {
            case "ShardToSplit", "NewStartingHashKey", "ShardToMerge", "AdjacentShardToMerge", "ScalingType":
                strings[member] = try reader.optionalString(member)
            case "TargetShardCount": target = try reader.optionalInteger(member)
            default: try reader.skipValue()
            }
        }
        func required(_ member: String) throws(KinesisAPIError) -> String {
            guard let value = strings[member] else { throw missing(member.prefix(1).lowercased() + member.dropFirst()) }
            return value
        }
        switch action {
        case .splitShard:
            let shard = try required("ShardToSplit")
            let key = try required("NewStartingHashKey")
            guard isDecimalInteger(key, maximumDigits: 39) else {
                throw constraintError("newStartingHashKey", value: key, "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})")
            }
            change = .split(shard: shard, newStartingHashKey: key)
        case .mergeShards:
            change = .merge(shard: try required("ShardToMerge"), adjacent: try required("AdjacentShardToMerge"))
        default:
            guard let target else { throw missing("targetShardCount") }
            guard (1...100_000).contains(target) else {
                throw constraintError("targetShardCount", value: String(target), "Member must have value between 1 and 100000")
            }
            let scaling = try required("ScalingType")
            guard scaling == "UNIFORM_SCALING" else {
                throw constraintError("scalingType", value: scaling, "Member must satisfy enum value set: [UNIFORM_SCALING]")
            }
            change = .count(target: target)
        }
        self.stream = stream
    }
}

extension KinesisAPI {
    /// SplitShard and MergeShards → `{}`; UpdateShardCount → `{"StreamName", "StreamARN",
    /// "CurrentShardCount", "TargetShardCount"}`. The stream applies them at once (it stays
    /// ACTIVE): parents close with an ending sequence number, children take the records
    /// from then on, and a durable stream keeps its shards across restarts.
    func reshard(_ input: ReshardInput) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        let open = stream.openShardCount
        do {
            switch input.change {
            case let .split(shardText, keyText):
                let shard = try shardIndex(shardText, mustExist: true)
                guard open < Self.shardLimit else { throw shardLimitExceeded(open: open, requested: open + 1) }
                // The pattern checked it is at most 39 digits; it may still be past 2^128 - 1.
                guard let key = UInt128(keyText) else {
                    throw KinesisAPIError.invalidArgument("NewStartingHashKey \(keyText) is past the largest hash key, 2^128 - 1")
                }
                _ = try stream.splitShard(ShardID(index: shard), newStartingHashKey: key)
            case let .merge(shardText, adjacentText):
                let first = try shardIndex(shardText, mustExist: true)
                let second = try shardIndex(adjacentText, mustExist: true)
                _ = try stream.mergeShards(ShardID(index: first), ShardID(index: second))
            case let .count(target):
                let target = Int(target)
                guard target <= 2 * open else {
                    throw KinesisAPIError.invalidArgument(
                        "UpdateShardCount to \(target) shards for stream \(stream.name) under account \(accountId) is more than twice its \(open) open shards: scale up to at most \(2 * open) in one call")
                }
                guard target * 2 >= open else {
                    throw KinesisAPIError.invalidArgument(
                        "UpdateShardCount to \(target) shards for stream \(stream.name) under account \(accountId) is less than half its \(open) open shards: scale down to at least \((open + 1) / 2) in one call")
                }
                guard target <= Self.shardLimit else { throw shardLimitExceeded(open: open, requested: target) }
                _ = try stream.updateShardCount(target)
                var writer = JSONWriter()
                writer.beginObject()
                writer.key("StreamName")
                writer.string(stream.name)
                writer.key("StreamARN")
                writer.string(streamARN)
                writer.key("CurrentShardCount")
                writer.integer(open)
                writer.key("TargetShardCount")
                writer.integer(target)
                writer.endObject()
                return writer.bytes
            }
        } catch let error as StreamError {
            throw KinesisAPIError(error)
        } catch let error as KinesisAPIError {
            throw error
        } catch {
            throw .internalFailure("\(error)")
        }
        return Array("{}".utf8)
    }

    private func shardLimitExceeded(open: Int, requested: Int) -> KinesisAPIError {
        .limitExceeded(
            "This request would exceed the shard limit for the account \(accountId) in \(region). Current open shard count for the account: \(open). Limit: \(Self.shardLimit). Requested: \(requested) (DescribeLimits gives the limit)")
    }
}
