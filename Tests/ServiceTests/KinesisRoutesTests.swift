import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KinesisAPI
import KinesisCBOR
import KinesisWire
import Pipeline
import RaceStore
import SigV4
import Testing
@testable import Service

/// POST /: the Kinesis-compatible API through Hummingbird's router test framework,
/// with API keys from the store.
@Suite struct KinesisRoutesTests {
    static let key = "ACTESTKEY0000000000000000000001"
    /// A key with a SigV4 secret (the `rig`'s other key, "test", was made before keys had one).
    static let signingKey = "ACSIGNEDKEY00000000000000000001"
    static let signingSecret = "k3yS3cret+OfTheSignedKey/0000000000000000"

    /// A rig with one key allowed `rate` requests a second with a burst of `burst`, and one
    /// named "signed" with a SigV4 secret and the same plan.
    func rig(rate: Int = 100, burst: Int = 100) throws -> ServiceRig {
        let rig = try ServiceRig()
        _ = try rig.service.store.createAPIKey(name: "test", secret: Self.key, requestsPerSecond: rate, burst: burst, nowMillis: rig.clock.nowMillis())
        let seal = try APISecretSeal(keyFile: DataLayout(directory: rig.directory).secretKeyPath)
        _ = try rig.service.store.createAPIKey(
            name: "signed", secret: Self.signingKey, requestsPerSecond: rate, burst: burst,
            sealedSigningSecret: seal.seal(Self.signingSecret, keyHash: APIKeySecret.hash(Self.signingKey)), nowMillis: rig.clock.nowMillis())
        return rig
    }

    /// The headers an SDK adds to sign `action` with `body`: X-Amz-Date and Authorization,
    /// for the router test's host (`localhost`), at `atMillis` (the rig's clock by default).
    func signature(
        _ rig: ServiceRig, _ action: String, _ body: String, key: String = KinesisRoutesTests.signingKey,
        secret: String = KinesisRoutesTests.signingSecret, region: String = "us-east-1", atMillis: Int64? = nil
    ) -> HTTPFields {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyId: key, secretAccessKey: secret), region: region, service: "kinesis")
        let added = signer.sign(
            method: "POST", path: "/",
            headers: [("Host", "localhost"), ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "Kinesis_20131202.\(action)")],
            body: Array(body.utf8), date: AmzDate(epochSeconds: (atMillis ?? rig.clock.nowMillis()) / 1000))
        var fields = HTTPFields()
        for header in added { fields[HTTPField.Name(header.name)!] = header.value }
        return fields
    }

    func post(
        _ rig: ServiceRig, _ action: String?, _ body: String, key: String? = KinesisRoutesTests.key, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var fields = headers
        if fields[.contentType] == nil { fields[.contentType] = "application/x-amz-json-1.1" }
        if let action { fields[HTTPField.Name("X-Amz-Target")!] = "Kinesis_20131202.\(action)" }
        if let key { fields[HTTPField.Name("x-api-key")!] = key }
        let headers = fields
        return try await rig.service.application().test(.router) { client in
            try await client.execute(uri: "/", method: .post, headers: headers, body: ByteBuffer(string: body))
        }
    }

    func refusal(_ type: String, _ message: String) -> String {
        String(decoding: KinesisAPIErrorBody.make(type, message), as: UTF8.self)
    }

    @Test func putsRecordsAndAnswersInTheKinesisShape() async throws {
        let rig = try rig()
        defer { rig.remove() }
        let response = try await post(rig, "PutRecords", #"{"StreamName":"alleycat","Records":[{"Data":"aGk=","PartitionKey":"a"},{"Data":"aGk=","PartitionKey":"b"}]}"#)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "application/x-amz-json-1.1")
        #expect(response.text == """
            {"FailedRecordCount":0,"Records":[{"SequenceNumber":"1000000000000000000000001","ShardId":"shardId-000000000000"},\
            {"SequenceNumber":"1000001000000000000000001","ShardId":"shardId-000000000001"}]}
            """)
        #expect(rig.service.stream!.listShards().map(\.recordCount) == [1, 1])
    }

    @Test func aBodyThatIsNotJSONByItsContentTypeIsRefused() async throws {
        let rig = try rig()
        defer { rig.remove() }
        let body = #"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"a"}"#
        for type in ["application/json", "application/x-amz-json-1.0", "Application/X-Amz-Json-1.1; charset=utf-8"] {
            #expect(try await post(rig, "PutRecord", body, headers: [.contentType: type]).status == .ok, "\(type)")
        }
        let refused = try await post(rig, "PutRecord", body, headers: [.contentType: "application/x-www-form-urlencoded"])
        #expect(refused.status == .badRequest)
        #expect(refused.text == refusal(
            "SerializationException",
            "Content-Type 'application/x-www-form-urlencoded' is not read here: send the Kinesis JSON protocol as application/x-amz-json-1.1, or CBOR as application/x-amz-cbor-1.1"))
        // JSON sent as CBOR is not CBOR: refused, in CBOR.
        let notCBOR = try await post(rig, "PutRecord", body, headers: [.contentType: "application/x-amz-cbor-1.1"])
        #expect(notCBOR.status == .badRequest && notCBOR.headers[.contentType] == "application/x-amz-cbor-1.1")
        #expect(try CBORValue(decoding: Array(notCBOR.body.readableBytesView)) == .map([
            .init(.text("__type"), .text("SerializationException")),
            .init(.text("message"), .text("CBOR: a text string at byte 0 declares 2473448655032511822 bytes but 49 are left")),
        ]))
        #expect(rig.service.stream!.listShards().map(\.recordCount).reduce(0, +) == 3)
    }

    /// The CBOR protocol as the AWS SDK for Java v2 sends it: Data as a byte string, and
    /// the answer in CBOR, records' Data as bytes and arrival times as tag 1 on milliseconds.
    @Test func cborRequestsAreAnsweredInCBOR() async throws {
        let rig = try rig()
        defer { rig.remove() }
        func request(_ members: [(String, CBORValue)]) -> ByteBuffer {
            ByteBuffer(bytes: CBORValue.map(members.map { .init(.text($0.0), $0.1) }).encoded)
        }
        func call(_ action: String, _ members: [(String, CBORValue)]) async throws -> (status: HTTPResponse.Status, value: CBORValue) {
            let body = request(members)
            let headers: HTTPFields = [
                .contentType: "application/x-amz-cbor-1.1", HTTPField.Name("X-Amz-Target")!: "Kinesis_20131202.\(action)",
                HTTPField.Name("x-api-key")!: Self.key,
            ]
            let response = try await rig.service.application().test(.router) { client in
                try await client.execute(uri: "/", method: .post, headers: headers, body: body)
            }
            #expect(response.headers[.contentType] == "application/x-amz-cbor-1.1")
            return (response.status, try CBORValue(decoding: Array(response.body.readableBytesView)))
        }
        let put = try await call("PutRecord", [("StreamName", .text("alleycat")), ("Data", .bytes([0, 0xFF, 0x80])), ("PartitionKey", .text("a"))])
        #expect(put.status == .ok)
        #expect(put.value == .map([
            .init(.text("ShardId"), .text("shardId-000000000000")), .init(.text("SequenceNumber"), .text("1000000000000000000000001")),
        ]))
        let iterator = try await call("GetShardIterator", [
            ("StreamName", .text("alleycat")), ("ShardId", .text("shardId-000000000000")), ("ShardIteratorType", .text("AT_TIMESTAMP")),
            ("Timestamp", .tagged(1, .unsigned(UInt64(rig.clock.nowMillis())))),
        ])
        guard case let .map(entries) = iterator.value, case let .text(token)? = entries.first?.value else {
            Issue.record("GetShardIterator answered \(iterator.value)")
            return
        }
        let records = try await call("GetRecords", [("ShardIterator", .text(token))])
        guard case let .map(answer) = records.value, case let .array(list)? = answer.first(where: { $0.key == .text("Records") })?.value,
              case let .map(record)? = list.first
        else {
            Issue.record("GetRecords answered \(records.value)")
            return
        }
        #expect(record == [
            .init(.text("SequenceNumber"), .text("1000000000000000000000001")),
            .init(.text("ApproximateArrivalTimestamp"), .tagged(1, .unsigned(UInt64(rig.clock.nowMillis())))),
            .init(.text("Data"), .bytes([0, 0xFF, 0x80])), .init(.text("PartitionKey"), .text("a")),
        ])
        let missing = try await call("DescribeStreamSummary", [("StreamName", .text("nope"))])
        #expect(missing.status == .badRequest)
        #expect(missing.value == .map([
            .init(.text("__type"), .text("ResourceNotFoundException")),
            .init(.text("message"), .text("Stream nope under account 000000000000 not found: this service's stream is 'alleycat'")),
        ]))
    }

    /// ARNs name the region a request is signed for, as Kinesis's do.
    @Test func arnsFollowTheSigningRegion() async throws {
        let rig = try rig()
        defer { rig.remove() }
        let describe = #"{"StreamName":"alleycat"}"#
        let summary = try await post(rig, "DescribeStreamSummary", describe, key: nil, headers: signature(rig, "DescribeStreamSummary", describe, region: "eu-west-1"))
        #expect(summary.text.contains(#""StreamARN":"arn:aws:kinesis:eu-west-1:000000000000:stream/alleycat""#))
        let here = #"{"StreamARN":"arn:aws:kinesis:eu-west-1:000000000000:stream/alleycat","Data":"aGk=","PartitionKey":"a"}"#
        #expect(try await post(rig, "PutRecord", here, key: nil, headers: signature(rig, "PutRecord", here, region: "eu-west-1")).status == .ok)
        let elsewhere = #"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/alleycat","Data":"aGk=","PartitionKey":"a"}"#
        let refused = try await post(rig, "PutRecord", elsewhere, key: nil, headers: signature(rig, "PutRecord", elsewhere, region: "eu-west-1"))
        #expect(refused.text == refusal(
            "ResourceNotFoundException",
            "Stream arn:aws:kinesis:us-east-1:000000000000:stream/alleycat not found: this service's stream is arn:aws:kinesis:eu-west-1:000000000000:stream/alleycat"))
        // Unsigned (x-api-key): the service's own region.
        let plain = try await post(rig, "DescribeStreamSummary", #"{"StreamName":"alleycat"}"#)
        #expect(plain.text.contains(#""StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/alleycat""#))
    }

    /// A SigV4 request is taken only when its signature checks out with the key's secret and
    /// its date is within 15 minutes; a forged, changed or stale one takes nothing (no record,
    /// no token of the key's rate).
    @Test func onlyRequestsSignedWithTheKeysSecretAreTaken() async throws {
        let rig = try rig(rate: 1, burst: 1)
        defer { rig.remove() }
        let body = #"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"a"}"#
        func refused(_ response: TestResponse, _ type: String, _ message: String) {
            #expect(response.status == .badRequest)
            #expect(response.headers[HTTPField.Name("x-amzn-ErrorType")!] == type)
            #expect(response.text == refusal(type, message))
        }
        let mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        let wrongSecret = try await post(rig, "PutRecord", body, key: nil, headers: signature(rig, "PutRecord", body, secret: "not-the-secret"))
        refused(wrongSecret, "InvalidSignatureException", mismatch)
        let changed = try await post(rig, "PutRecord", body.replacingOccurrences(of: "aGk=", with: "aGl="), key: nil, headers: signature(rig, "PutRecord", body))
        refused(changed, "InvalidSignatureException", mismatch)
        let otherAction = try await post(rig, "PutRecords", body, key: nil, headers: signature(rig, "PutRecord", body))
        refused(otherAction, "InvalidSignatureException", mismatch)
        let stale = try await post(rig, "PutRecord", body, key: nil, headers: signature(rig, "PutRecord", body, atMillis: rig.clock.nowMillis() - 20 * 60_000))
        refused(stale, "InvalidSignatureException", "Signature expired: 20231114T215320Z is now earlier than 20231114T215820Z (20231114T221320Z - 15 min.)")
        let unsigned = try await post(rig, "PutRecord", body, key: nil, headers: [.authorization: "AWS4-HMAC-SHA256 Credential=\(Self.signingKey)/20231114/us-east-1/kinesis/aws4_request"])
        refused(unsigned, "IncompleteSignatureException", "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=\(Self.signingKey)/20231114/us-east-1/kinesis/aws4_request")
        // The key made without a secret cannot sign: it works as x-api-key only.
        let secretless = try await post(rig, "PutRecord", body, key: nil, headers: signature(rig, "PutRecord", body, key: Self.key, secret: "anything"))
        refused(secretless, "InvalidSignatureException", "API key 'test' (ACTEST…) was made before signatures were checked and has no secret: send it as the x-api-key header, or create a key with 'alleycat keys create' and sign with its secret")
        #expect(rig.service.stream!.listShards().map(\.recordCount) == [0, 0])
        // None of those took the key's one token: the signed request passes, then the rate holds.
        #expect(try await post(rig, "PutRecord", body, key: nil, headers: signature(rig, "PutRecord", body)).status == .ok)
        #expect(try await post(rig, "PutRecord", body, key: nil, headers: signature(rig, "PutRecord", body)).status == .tooManyRequests)
        #expect(rig.service.stream!.listShards().map(\.recordCount) == [1, 0])
    }

    @Test func everyActionAnswersThroughTheRoute() async throws {
        let rig = try rig()
        defer { rig.remove() }
        let put = try await post(rig, "PutRecord", #"{"StreamName":"alleycat","Data":"AP8=","PartitionKey":"a"}"#)
        #expect(put.text == #"{"ShardId":"shardId-000000000000","SequenceNumber":"1000000000000000000000001"}"#)
        let summary = try await post(rig, "DescribeStreamSummary", #"{"StreamName":"alleycat"}"#)
        #expect(summary.status == .ok)
        #expect(summary.text.contains(#""StreamStatus":"ACTIVE""#) && summary.text.contains(#""OpenShardCount":2"#))
        let shards = try await post(rig, "ListShards", #"{"StreamName":"alleycat","MaxResults":1}"#)
        #expect(shards.text.hasPrefix(#"{"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"170141183460469231731687303715884105727"}"#))
        let iterator = try await post(rig, "GetShardIterator", #"{"StreamName":"alleycat","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}"#)
        let token = (iterator.json["ShardIterator"] as? String) ?? ""
        let records = try await post(rig, "GetRecords", #"{"ShardIterator":"\#(token)"}"#)
        let read = (records.json["Records"] as? [[String: Any]]) ?? []
        #expect(read.map { $0["Data"] as? String } == ["AP8="])
        #expect(read.map { $0["PartitionKey"] as? String } == ["a"])
    }

    @Test(arguments: [
        ("PutRecord", #"{"StreamName":"alleycat","PartitionKey":"a"}"#, "ValidationException",
         "1 validation error detected: Value null at 'data' failed to satisfy constraint: Member must not be null"),
        ("PutRecords", #"{"StreamName":"nope","Records":[{"Data":"aGk=","PartitionKey":"a"}]}"#, "ResourceNotFoundException",
         "Stream nope under account 000000000000 not found: this service's stream is 'alleycat'"),
        ("ListShards", #"{"StreamName":"alleycat","NextToken":"x"}"#, "InvalidArgumentException",
         "NextToken and StreamName cannot be provided together: send the NextToken alone"),
        ("DescribeStreamSummary", #"{"StreamName":"alleycat""#, "SerializationException",
         "Malformed JSON at byte 24: expected ',' or '}' after the value of \"StreamName\""),
        ("GetShardIterator", #"{"StreamName":"alleycat","ShardId":"shardId-000000000009","ShardIteratorType":"LATEST"}"#, "ResourceNotFoundException",
         "Shard shardId-000000000009 in stream alleycat under account 000000000000 does not exist: ListShards gives this stream's 2 shard id(s)"),
        ("GetRecords", #"{"ShardIterator":"AAAA"}"#, "InvalidArgumentException",
         "Invalid ShardIterator: use one returned by GetShardIterator or GetRecords of this service"),
        ("EnableEnhancedMonitoring", #"{"StreamName":"alleycat","ShardLevelMetrics":["ALL"]}"#, "UnknownOperationException",
         "X-Amz-Target 'Kinesis_20131202.EnableEnhancedMonitoring' is not an operation this service has: Kinesis_20131202.PutRecord, Kinesis_20131202.PutRecords, Kinesis_20131202.ListShards, Kinesis_20131202.DescribeStreamSummary, Kinesis_20131202.GetShardIterator, Kinesis_20131202.GetRecords, Kinesis_20131202.ListStreams, Kinesis_20131202.DescribeStream, Kinesis_20131202.DescribeLimits, Kinesis_20131202.AddTagsToStream, Kinesis_20131202.RemoveTagsFromStream, Kinesis_20131202.ListTagsForStream, Kinesis_20131202.TagResource, Kinesis_20131202.UntagResource, Kinesis_20131202.ListTagsForResource, Kinesis_20131202.IncreaseStreamRetentionPeriod, Kinesis_20131202.DecreaseStreamRetentionPeriod, Kinesis_20131202.SplitShard, Kinesis_20131202.MergeShards, Kinesis_20131202.UpdateShardCount, Kinesis_20131202.RegisterStreamConsumer, Kinesis_20131202.DescribeStreamConsumer, Kinesis_20131202.ListStreamConsumers, Kinesis_20131202.DeregisterStreamConsumer, Kinesis_20131202.SubscribeToShard, Kinesis_20131202.CreateStream, Kinesis_20131202.DeleteStream, Kinesis_20131202.UpdateStreamMode, Kinesis_20131202.StartStreamEncryption, Kinesis_20131202.StopStreamEncryption, Kinesis_20131202.PutResourcePolicy, Kinesis_20131202.GetResourcePolicy, Kinesis_20131202.DeleteResourcePolicy"),
    ] as [(String, String, String, String)])
    func refusalsCarryTheirTypeAndMessage(action: String, body: String, type: String, message: String) async throws {
        let rig = try rig()
        defer { rig.remove() }
        let response = try await post(rig, action, body)
        #expect(response.status == .badRequest)
        #expect(response.headers[HTTPField.Name("x-amzn-ErrorType")!] == type)
        #expect(response.text == refusal(type, message))
    }

    @Test func ingestNeedsAKnownActiveKey() async throws {
        let rig = try rig()
        defer { rig.remove() }
        let body = #"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"a"}"#
        let missing = try await post(rig, "PutRecord", body, key: nil)
        #expect(missing.status == .forbidden)
        #expect(missing.text == refusal("MissingAuthenticationTokenException", "Missing Authentication Token: send an API key as the x-api-key header, or sign with an AWS SDK using a key's access key id and secret ('alleycat keys create' makes one)"))
        let unknown = try await post(rig, "PutRecord", body, key: "ACNOTAKEY")
        #expect(unknown.status == .forbidden)
        #expect(unknown.text == refusal("UnrecognizedClientException", "The API key in the request is not one this service knows: check it, or create one with 'alleycat keys create'"))
        // An SDK's SigV4 header carries the key as its access key id.
        #expect(try await post(rig, "PutRecord", body, key: nil, headers: signature(rig, "PutRecord", body)).status == .ok)
        _ = try rig.service.store.revokeAPIKey("test", nowMillis: rig.clock.nowMillis())
        rig.clock.advance(byMillis: 1000)  // the key ring reloads once a second
        let revoked = try await post(rig, "PutRecord", body)
        #expect(revoked.status == .forbidden)
        #expect(revoked.text == refusal("AccessDeniedException", "API key 'test' (ACTEST…) was revoked at 2023-11-14T22:13:20Z: create a new one with 'alleycat keys create'"))
        #expect(rig.service.stream!.listShards().map(\.recordCount) == [1, 0])
        // Read-only routes stay open.
        let health = try await rig.service.application().test(.router) { try await $0.execute(uri: "/health", method: .get) }
        #expect(health.status == .ok)
    }

    @Test func overTheKeysRateNothingIsTaken() async throws {
        let rig = try rig(rate: 1, burst: 2)
        defer { rig.remove() }
        let body = #"{"StreamName":"alleycat","Records":[{"Data":"aGk=","PartitionKey":"a"}]}"#
        #expect(try await post(rig, "PutRecords", body).status == .ok)
        #expect(try await post(rig, "PutRecords", body).status == .ok)
        let throttled = try await post(rig, "PutRecords", body)
        #expect(throttled.status == .tooManyRequests)
        #expect(throttled.text == refusal("ThrottlingException", "Rate exceeded for API key 'test': its plan allows 1 requests a second with a burst of 2; nothing of this request was taken, retry with backoff"))
        #expect(rig.service.stream!.listShards().map(\.recordCount) == [2, 0])
        rig.clock.advance(byMillis: 1000)
        #expect(try await post(rig, "PutRecords", body).status == .ok)
    }

    /// Beside the request rate, a byte budget: the bucket holds one request of the largest
    /// size (8 MiB) and refills at the key's bytes a second.
    @Test func overTheKeysByteBudgetNothingIsTaken() async throws {
        let rig = try rig()
        defer { rig.remove() }
        let thin = "ACTHINKEY000000000000000000001"
        _ = try rig.service.store.createAPIKey(
            name: "thin", secret: thin, requestsPerSecond: 100, burst: 100, bytesPerSecond: 1024, nowMillis: rig.clock.nowMillis())
        let record = #"{"Data":"aGk=","PartitionKey":"a"}"#
        let padding = String(repeating: " ", count: 6 << 20)
        let big = #"{"StreamName":"alleycat","Records":["# + record + "]" + padding + "}"
        #expect(try await post(rig, "PutRecords", big, key: thin).status == .ok)
        let small = #"{"StreamName":"alleycat","Records":["# + record + "]" + String(repeating: " ", count: 3 << 20) + "}"
        let throttled = try await post(rig, "PutRecords", small, key: thin)
        #expect(throttled.status == .tooManyRequests)
        #expect(throttled.text == refusal("ThrottlingException", "Byte rate exceeded for API key 'thin': its plan allows 1024 request bytes a second and this request has \(small.utf8.count); nothing of this request was taken, retry with backoff"))
        // Another key's budget is its own.
        #expect(try await post(rig, "PutRecords", small).status == .ok)
        #expect(rig.service.stream!.listShards().map(\.recordCount).reduce(0, +) == 2)
        rig.clock.advance(byMillis: 2_048_000)  // 2 MiB more at 1 KiB a second
        #expect(try await post(rig, "PutRecords", small, key: thin).status == .ok)
    }

    @Test func oversizedRequestsAreRefusedBeforeTheyAreRead() async throws {
        let rig = try rig()
        defer { rig.remove() }
        // The test client sends Content-Length, so the size is refused from the header.
        let over = try await post(rig, "PutRecords", String(repeating: " ", count: 8_388_609))
        #expect(over.status == .contentTooLarge)
        #expect(over.text == refusal("ValidationException", "The request body is 8388609 bytes; at most 8388608 bytes (8 MiB) are read: PutRecords takes at most 500 records and 5 MiB of data per call, split the batch"))
        let limit = try await post(rig, "PutRecords", String(repeating: " ", count: 8_388_608))
        #expect(limit.status == .badRequest)
        #expect(limit.text == refusal("SerializationException", "Malformed JSON at byte 8388608: expected '{' to start an object, found the end of the body"))
    }

    /// The pipeline's stream is the one `--stream` names; a stream made over the API sits beside it.
    @Test func thePipelineReadsTheStreamItIsGiven() async throws {
        let rig = try ServiceRig { $0.streamName = "laps" }
        defer { rig.remove() }
        _ = try rig.service.store.createAPIKey(name: "test", secret: Self.key, requestsPerSecond: 100, burst: 100, nowMillis: rig.clock.nowMillis())
        #expect(rig.service.stream?.name == "laps")
        #expect(try await post(rig, "PutRecord", #"{"StreamName":"laps","Data":"aGk=","PartitionKey":"a"}"#).status == .ok)
        #expect(try await post(rig, "CreateStream", #"{"StreamName":"other","ShardCount":1}"#).text == "{}")
        #expect(try await post(rig, "PutRecord", #"{"StreamName":"other","Data":"aGk=","PartitionKey":"a"}"#).status == .ok)
        #expect(rig.service.stream!.listShards().map(\.recordCount) == [1, 0])
        let listed = try await post(rig, "ListStreams", "{}")
        #expect(listed.text.hasPrefix(#"{"StreamNames":["laps","other"],"HasMoreStreams":false,"#))
    }

    /// SubscribeToShard over the route: an event stream, `initial-response` first, then the
    /// shard's records (a subscription of no time here: one event, then the end).
    @Test func subscribeToShardAnswersAnEventStream() async throws {
        let rig = try ServiceRig { $0.subscriptionMillis = 0 }
        defer { rig.remove() }
        _ = try rig.service.store.createAPIKey(name: "test", secret: Self.key, requestsPerSecond: 100, burst: 100, nowMillis: rig.clock.nowMillis())
        let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/alleycat"
        #expect(try await post(rig, "RegisterStreamConsumer", #"{"StreamARN":"\#(arn)","ConsumerName":"fanout"}"#).status == .ok)
        #expect(try await post(rig, "PutRecord", #"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"a"}"#).status == .ok)
        let consumer = "\(arn)/consumer/fanout:\(rig.clock.nowMillis() / 1000)"
        let response = try await post(
            rig, "SubscribeToShard", #"{"ConsumerARN":"\#(consumer)","ShardId":"shardId-000000000000","StartingPosition":{"Type":"TRIM_HORIZON"}}"#)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "application/vnd.amazon.eventstream")
        var bytes = Array(response.body.readableBytesView)[...]
        var messages: [EventStream.Message] = []
        while let message = try EventStream.read(bytes) {
            messages.append(message)
            bytes = bytes.dropFirst(message.length)
        }
        #expect(bytes.isEmpty)
        #expect(messages.map { $0.headers[":event-type"] } == ["initial-response", "SubscribeToShardEvent"])
        #expect(String(decoding: messages[0].payload, as: UTF8.self) == "{}")
        let event = String(decoding: messages[1].payload, as: UTF8.self)
        #expect(event.hasPrefix(#"{"Records":[{"SequenceNumber":"1000000000000000000000001","#) && event.hasSuffix(#""ContinuationSequenceNumber":"1000000000000000000000001","MillisBehindLatest":0}"#), "\(event)")
        // The subscription ended with the answer: the consumer may subscribe again.
        #expect(try await post(
            rig, "SubscribeToShard", #"{"ConsumerARN":"\#(consumer)","ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}}"#).status == .ok)
    }
}

/// The refusal body the API writes, built independently of it.
enum KinesisAPIErrorBody {
    static func make(_ type: String, _ message: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("__type")
        writer.string(type)
        writer.key("message")
        writer.string(message)
        writer.endObject()
        return writer.bytes
    }
}
