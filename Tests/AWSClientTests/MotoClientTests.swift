import AWSClient
import AlleycatTesting
import Testing

/// The S3 and DynamoDB clients against a real `moto_server` (S3 and DynamoDB on one port).
@Suite(.timeLimit(.minutes(3)))
struct MotoClientTests {
    @Test func s3ObjectsAreWrittenReadListedAndWrittenConditionally() throws {
        let moto = try MotoServer.started()
        defer { moto.stop() }
        let s3 = S3Client(configuration: try moto.configuration(.s3))
        defer { s3.shutdown() }
        try s3.createBucket("history")
        try s3.createBucket("history")  // already owned: not an error

        let bytes: [UInt8] = [0x1f, 0x8b, 0, 1, 2, 255]
        let etag = try #require(try s3.putObject("history", key: "class 1/é$.gz", bytes: bytes))
        #expect(try s3.getObject("history", key: "class 1/é$.gz") == S3Object(bytes: bytes, etag: etag))
        #expect(try s3.getObject("history", key: "class-2.gz") == nil)
        try s3.putObject("history", key: "2026/12/02/a", bytes: [1])
        try s3.putObject("history", key: "2026/12/02/b&c", bytes: [2])
        #expect(try s3.listKeys("history", prefix: "2026/") == ["2026/12/02/a", "2026/12/02/b&c"])
        #expect(try s3.listKeys("history").count == 3)

        // If-None-Match: * refuses a key that exists; If-Match refuses a changed object.
        #expect(try s3.putObject("history", key: "2026/12/02/a", bytes: [9], condition: .absent) == nil)
        #expect(try s3.putObject("history", key: "new", bytes: [3], condition: .absent) != nil)
        #expect(try s3.putObject("history", key: "class 1/é$.gz", bytes: [7], condition: .unchanged(etag: "\"0123\"")) == nil)
        #expect(try s3.getObject("history", key: "class 1/é$.gz")?.bytes == bytes)
        let next = try #require(try s3.putObject("history", key: "class 1/é$.gz", bytes: [7], condition: .unchanged(etag: etag)))
        #expect(next != etag)
        #expect(try s3.getObject("history", key: "class 1/é$.gz") == S3Object(bytes: [7], etag: next))

        try s3.deleteObject("history", key: "new")
        #expect(try s3.getObject("history", key: "new") == nil)
        #expect(throws: AWSCallError.self) { try s3.getObject("no-such-bucket", key: "x") }
        do {
            _ = try s3.listKeys("no-such-bucket")
            Issue.record("listing a missing bucket succeeded")
        } catch {
            #expect(error.errorType == "NoSuchBucket")
            #expect(
                error.message
                    == "S3 ListObjectsV2 of s3://no-such-bucket/ at \(moto.endpoint) failed with NoSuchBucket: The specified bucket does not exist; create the bucket first, or check its name and AWS_REGION")
        }
    }

    @Test func dynamoDBItemsAreWrittenOnlyWhenTheirConditionHolds() throws {
        let moto = try MotoServer.started()
        defer { moto.stop() }
        let dynamo = DynamoDBClient(configuration: try moto.configuration(.dynamodb))
        defer { dynamo.shutdown() }
        #expect(try dynamo.tableStatus("leases") == nil)
        try dynamo.createTable("leases", hashKey: "leaseKey")
        try dynamo.createTable("leases", hashKey: "leaseKey")  // in use: not an error
        #expect(try dynamo.tableStatus("leases") == "ACTIVE")

        let absent = DynamoExpression("attribute_not_exists(leaseKey)")
        let item: DynamoItem = ["leaseKey": .string("shardId-000000000000"), "leaseCounter": .number(0), "parentShardId": .stringSet(["shardId-1"])]
        #expect(try dynamo.putItem("leases", item, condition: absent))
        #expect(try !dynamo.putItem("leases", item, condition: absent))
        let key: DynamoItem = ["leaseKey": .string("shardId-000000000000")]
        #expect(try dynamo.getItem("leases", key: key) == item)

        let take = DynamoExpression("SET #o = :o, #c = :next", names: ["#o": "leaseOwner", "#c": "leaseCounter"], values: [":o": .string("w1"), ":next": .number(1)])
        let at0 = DynamoExpression("#c = :c", names: ["#c": "leaseCounter"], values: [":c": .number(0)])
        #expect(try dynamo.updateItem("leases", key: key, update: take, condition: at0))
        #expect(try !dynamo.updateItem("leases", key: key, update: take, condition: at0))
        #expect(try dynamo.getItem("leases", key: key)?["leaseOwner"] == .string("w1"))
        #expect(try dynamo.getItem("leases", key: key)?["leaseCounter"]?.integer == 1)

        let release = DynamoExpression("REMOVE #o", names: ["#o": "leaseOwner"])
        #expect(try dynamo.updateItem("leases", key: key, update: release))
        #expect(try dynamo.getItem("leases", key: key)?["leaseOwner"] == nil)

        for index in 1...30 {
            try dynamo.putItem("leases", ["leaseKey": .string("k\(index)"), "checkpoint": .string("TRIM_HORIZON"), "done": .bool(false)])
        }
        let all = try dynamo.scan("leases")
        #expect(all.count == 31)
        #expect(Set(all.compactMap { $0["leaseKey"]?.string }).count == 31)
        #expect(try dynamo.deleteItem("leases", key: ["leaseKey": .string("k1")]))
        #expect(try dynamo.getItem("leases", key: ["leaseKey": .string("k1")]) == nil)

        do {
            _ = try dynamo.getItem("missing", key: key)
            Issue.record("reading a missing table succeeded")
        } catch {
            #expect(error.errorType == "ResourceNotFoundException")
            #expect(error.message.hasPrefix("DynamoDB GetItem at \(moto.endpoint) failed with ResourceNotFoundException: "))
        }
        try dynamo.deleteTable("leases")
        #expect(try dynamo.tableStatus("leases") == nil)
    }
}
