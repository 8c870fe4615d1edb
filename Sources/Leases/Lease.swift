import AWSClient

/// One lease as the Kinesis Client Library keeps it in DynamoDB, so the table reads like
/// any KCL application's: `leaseKey` is the shard id, `leaseCounter` moves on every
/// renewal, take and checkpoint, and `checkpoint` is a sequence number or one of the
/// KCL's sentinels (`TRIM_HORIZON`, `LATEST`, `SHARD_END`).
public struct Lease: Sendable, Equatable, CustomStringConvertible {
    public static let trimHorizon = "TRIM_HORIZON"
    public static let shardEnd = "SHARD_END"

    public var leaseKey: String
    /// nil when nobody holds it (never taken, or handed back).
    public var leaseOwner: String?
    public var leaseCounter: Int64
    public var checkpoint: String
    public var checkpointSubSequenceNumber: Int64
    public var ownerSwitchesSinceCheckpoint: Int64
    /// The parent shards (one, or two after a merge), read to their end before this one.
    public var parentShardIds: [String]

    public init(
        leaseKey: String, leaseOwner: String? = nil, leaseCounter: Int64 = 0, checkpoint: String = Lease.trimHorizon,
        checkpointSubSequenceNumber: Int64 = 0, ownerSwitchesSinceCheckpoint: Int64 = 0, parentShardIds: [String] = []
    ) {
        self.leaseKey = leaseKey
        self.leaseOwner = leaseOwner
        self.leaseCounter = leaseCounter
        self.checkpoint = checkpoint
        self.checkpointSubSequenceNumber = checkpointSubSequenceNumber
        self.ownerSwitchesSinceCheckpoint = ownerSwitchesSinceCheckpoint
        self.parentShardIds = parentShardIds
    }

    /// Its shard has been read to its end and everything in it delivered.
    public var isFinished: Bool { checkpoint == Self.shardEnd }

    public var description: String {
        "\(leaseKey) owner=\(leaseOwner ?? "-") counter=\(leaseCounter) checkpoint=\(checkpoint)"
    }

    /// The item as the KCL writes it (`parentShardId` is a string set, left out when empty,
    /// as DynamoDB allows no empty set).
    public var item: DynamoItem {
        var item: DynamoItem = [
            "leaseKey": .string(leaseKey), "leaseCounter": .number(leaseCounter), "checkpoint": .string(checkpoint),
            "checkpointSubSequenceNumber": .number(checkpointSubSequenceNumber),
            "ownerSwitchesSinceCheckpoint": .number(ownerSwitchesSinceCheckpoint),
        ]
        if let leaseOwner { item["leaseOwner"] = .string(leaseOwner) }
        if !parentShardIds.isEmpty { item["parentShardId"] = .stringSet(parentShardIds.sorted()) }
        return item
    }

    /// A lease read back from the table; nil for an item that is not one (no key or counter).
    public init?(item: DynamoItem) {
        guard let key = item["leaseKey"]?.string, let counter = item["leaseCounter"]?.integer else { return nil }
        self.init(
            leaseKey: key, leaseOwner: item["leaseOwner"]?.string, leaseCounter: counter,
            checkpoint: item["checkpoint"]?.string ?? Self.trimHorizon,
            checkpointSubSequenceNumber: item["checkpointSubSequenceNumber"]?.integer ?? 0,
            ownerSwitchesSinceCheckpoint: item["ownerSwitchesSinceCheckpoint"]?.integer ?? 0,
            parentShardIds: (item["parentShardId"]?.strings ?? []).sorted())
    }
}
