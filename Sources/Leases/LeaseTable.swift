import AWSClient

/// A lease table in DynamoDB. Every change is a conditional write on the lease's counter
/// (and its owner where one is expected), so two workers can never both win a lease: the
/// loser's write fails its condition and it learns it lost.
public final class LeaseTable: Sendable {
    public let name: String
    public let dynamo: DynamoDBClient

    public init(name: String, dynamo: DynamoDBClient) {
        self.name = name
        self.dynamo = dynamo
    }

    /// Creates the table when it is missing, as the KCL's first worker does, and waits
    /// (up to `waitMillis`) until it is ACTIVE.
    public func createIfMissing(waitMillis: Int64 = 60_000, sleep: (Int64) -> Void) throws(AWSCallError) {
        if try dynamo.tableStatus(name) == nil { try dynamo.createTable(name, hashKey: "leaseKey") }
        var waited: Int64 = 0
        while try dynamo.tableStatus(name) != "ACTIVE" {
            guard waited < waitMillis else {
                throw .unreadable("lease table \(name) at \(dynamo.endpoint) is not ACTIVE after \(waitMillis / 1000) s; check it in the DynamoDB console")
            }
            sleep(500)
            waited += 500
        }
    }

    public func list() throws(AWSCallError) -> [Lease] {
        try dynamo.scan(name).compactMap(Lease.init(item:)).sorted { $0.leaseKey < $1.leaseKey }
    }

    /// Writes a new lease; false when one with its key exists already.
    public func create(_ lease: Lease) throws(AWSCallError) -> Bool {
        try dynamo.putItem(name, lease.item, condition: DynamoExpression("attribute_not_exists(leaseKey)"))
    }

    /// `lease` given to `owner`, if nobody changed it since it was read; nil when someone did.
    public func take(_ lease: Lease, owner: String) throws(AWSCallError) -> Lease? {
        var taken = lease
        taken.leaseOwner = owner
        taken.leaseCounter += 1
        // As the KCL counts it: a switch from one owner to another, not the first take.
        if let previous = lease.leaseOwner, previous != owner { taken.ownerSwitchesSinceCheckpoint += 1 }
        return try update(lease, to: taken, checkOwner: false)
    }

    /// Bumps the counter of a lease `lease.leaseOwner` holds; nil when it is no longer theirs.
    public func renew(_ lease: Lease) throws(AWSCallError) -> Lease? {
        var renewed = lease
        renewed.leaseCounter += 1
        return try update(lease, to: renewed, checkOwner: true)
    }

    /// Moves the checkpoint of a held lease; nil when the lease is no longer its holder's.
    public func checkpoint(_ lease: Lease, at checkpoint: String) throws(AWSCallError) -> Lease? {
        var moved = lease
        moved.leaseCounter += 1
        moved.checkpoint = checkpoint
        moved.checkpointSubSequenceNumber = 0
        moved.ownerSwitchesSinceCheckpoint = 0
        return try update(lease, to: moved, checkOwner: true)
    }

    /// Hands a held lease back (no owner), so another worker takes it at once.
    public func release(_ lease: Lease) throws(AWSCallError) -> Lease? {
        var released = lease
        released.leaseOwner = nil
        released.leaseCounter += 1
        return try update(lease, to: released, checkOwner: true)
    }

    private func update(_ old: Lease, to new: Lease, checkOwner: Bool) throws(AWSCallError) -> Lease? {
        let names = ["#c": "leaseCounter", "#o": "leaseOwner", "#p": "checkpoint", "#s": "checkpointSubSequenceNumber", "#w": "ownerSwitchesSinceCheckpoint"]
        var values: DynamoItem = [
            ":c": .number(new.leaseCounter), ":p": .string(new.checkpoint), ":s": .number(new.checkpointSubSequenceNumber),
            ":w": .number(new.ownerSwitchesSinceCheckpoint),
        ]
        var text = "SET #c = :c, #p = :p, #s = :s, #w = :w"
        if let owner = new.leaseOwner {
            text += ", #o = :o"
            values[":o"] = .string(owner)
        } else {
            text += " REMOVE #o"
        }
        var condition = "#c = :expected"
        var conditionValues: DynamoItem = [":expected": .number(old.leaseCounter)]
        if checkOwner {
            if let owner = old.leaseOwner {
                condition += " AND #o = :holder"
                conditionValues[":holder"] = .string(owner)
            } else {
                condition += " AND attribute_not_exists(#o)"
            }
        }
        let written = try dynamo.updateItem(
            name, key: ["leaseKey": .string(old.leaseKey)], update: DynamoExpression(text, names: names, values: values),
            condition: DynamoExpression(condition, names: names, values: conditionValues))
        return written ? new : nil
    }
}
