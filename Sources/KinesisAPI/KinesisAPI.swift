import Foundation
import KinesisStream
import KinesisWire
import RaceModel

/// The Kinesis Data Streams JSON API (`POST /`, `X-Amz-Target: Kinesis_20131202.<Action>`,
/// `application/x-amz-json-1.1`) over one stream, so AWS SDKs and existing producers
/// work by changing only the endpoint. One file per action under `Actions/`, its
/// input checks under `Validations/`. Transport and API keys are the service's.
public final class KinesisAPI: Sendable {
    public static let targetPrefix = "Kinesis_20131202."
    public static let contentType = "application/x-amz-json-1.1"
    /// A full PutRecords (5 MiB of data, base64 adds a third) with its JSON fits.
    public static let maximumRequestBytes = 8 << 20

    public let stream: KinesisStream
    public let region: String
    public let accountId: String
    /// When the stream was created (the service started), for DescribeStreamSummary.
    public let createdMillis: Int64
    let iterators: ShardIteratorCodec
    let tags: StreamTags
    let consumers: StreamConsumers
    /// How long a SubscribeToShard subscription lasts, on the stream's clock.
    public let subscriptionMillis: Int64
    /// ON_DEMAND or PROVISIONED, as CreateStream or UpdateStreamMode set it.
    let mode: StreamMode

    /// `tagsPath`, `consumersPath`: the files the stream's tags and enhanced fan-out
    /// consumers are kept in (nil: in memory, for a stream that is not kept either).
    public init(
        stream: KinesisStream, region: String = "us-east-1", accountId: String = "000000000000", createdMillis: Int64,
        iteratorKey: UInt64 = UInt64.random(in: .min ... .max), tagsPath: String? = nil, consumersPath: String? = nil,
        subscriptionMillis: Int64 = KinesisAPI.defaultSubscriptionMillis, modePath: String? = nil, onDemand: Bool = false
    ) throws(KinesisAPIError) {
        self.subscriptionMillis = subscriptionMillis
        self.mode = StreamMode(path: modePath, onDemand: onDemand)
        self.stream = stream
        self.region = region
        self.accountId = accountId
        self.createdMillis = createdMillis
        self.iterators = ShardIteratorCodec(key: iteratorKey)
        self.tags = try StreamTags(path: tagsPath)
        self.consumers = try StreamConsumers(path: consumersPath)
    }

    /// The same API as seen from another region: its ARNs name `region`.
    private init(_ api: KinesisAPI, region: String) {
        stream = api.stream
        self.region = region
        accountId = api.accountId
        createdMillis = api.createdMillis
        iterators = api.iterators
        tags = api.tags
        consumers = api.consumers
        subscriptionMillis = api.subscriptionMillis
        mode = api.mode
    }

    /// This API as seen from `region`.
    func inRegion(_ region: String) -> KinesisAPI {
        KinesisAPI(self, region: region)
    }

    public var streamARN: String { "arn:aws:kinesis:\(region):\(accountId):stream/\(stream.name)" }

    /// `eu-west-1`, `us-gov-west-1`: lowercase letters, digits and dashes.
    static func isRegionName(_ text: String) -> Bool {
        (1...32).contains(text.utf8.count) && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }

    public enum Action: String, Sendable, CaseIterable {
        case putRecord = "PutRecord"
        case putRecords = "PutRecords"
        case listShards = "ListShards"
        case describeStreamSummary = "DescribeStreamSummary"
        case getShardIterator = "GetShardIterator"
        case getRecords = "GetRecords"
        case listStreams = "ListStreams"
        case describeStream = "DescribeStream"
        case describeLimits = "DescribeLimits"
        case addTagsToStream = "AddTagsToStream"
        case removeTagsFromStream = "RemoveTagsFromStream"
        case listTagsForStream = "ListTagsForStream"
        case tagResource = "TagResource"
        case untagResource = "UntagResource"
        case listTagsForResource = "ListTagsForResource"
        case increaseStreamRetentionPeriod = "IncreaseStreamRetentionPeriod"
        case decreaseStreamRetentionPeriod = "DecreaseStreamRetentionPeriod"
        case splitShard = "SplitShard"
        case mergeShards = "MergeShards"
        case updateShardCount = "UpdateShardCount"
        case registerStreamConsumer = "RegisterStreamConsumer"
        case describeStreamConsumer = "DescribeStreamConsumer"
        case listStreamConsumers = "ListStreamConsumers"
        case deregisterStreamConsumer = "DeregisterStreamConsumer"
        /// Answered as an event stream by the service's route (`subscribe`); `handle` gives its first event.
        case subscribeToShard = "SubscribeToShard"
        /// Answered by `KinesisStreams`, which holds every stream.
        case createStream = "CreateStream"
        case deleteStream = "DeleteStream"
        case updateStreamMode = "UpdateStreamMode"
        // Answered with a refusal that says why: nothing here could enforce them.
        case startStreamEncryption = "StartStreamEncryption"
        case stopStreamEncryption = "StopStreamEncryption"
        case putResourcePolicy = "PutResourcePolicy"
        case getResourcePolicy = "GetResourcePolicy"
        case deleteResourcePolicy = "DeleteResourcePolicy"
    }

    /// The action an `X-Amz-Target` header names.
    public static func action(target: String?) throws(KinesisAPIError) -> Action {
        guard let target, !target.isEmpty else {
            throw .unknownOperation("The X-Amz-Target header is missing: send Kinesis_20131202.<Action>, for example Kinesis_20131202.PutRecords")
        }
        guard target.hasPrefix(targetPrefix), let action = Action(rawValue: String(target.dropFirst(targetPrefix.count))) else {
            throw .unknownOperation("X-Amz-Target '\(target.prefix(80))' is not an operation this service has: \(Action.allCases.map { targetPrefix + $0.rawValue }.joined(separator: ", "))")
        }
        return action
    }

    /// The request bodies this API reads: the Kinesis JSON protocol (AWS SDKs send 1.1).
    public static let acceptedContentTypes = ["application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json"]
    /// The Kinesis CBOR protocol (the AWS SDK for Java v2's and the KCL's default), which the
    /// service transcodes to and from the JSON this API reads and writes (`KinesisCBOR`).
    public static let cborContentType = "application/x-amz-cbor-1.1"

    /// How a request's body (and so its answer) is written.
    public enum BodyFormat: Sendable, Equatable {
        case json, cbor
    }

    /// The format a Content-Type names; a body that says it is something else (a form,
    /// octets) is refused. A request without a Content-Type is read as JSON.
    public static func bodyFormat(contentType header: String?) throws(KinesisAPIError) -> BodyFormat {
        guard let header else { return .json }
        let type = header.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if type == cborContentType { return .cbor }
        guard acceptedContentTypes.contains(type) else {
            throw .serialization(
                "Content-Type '\(header.prefix(80))' is not read here: send the Kinesis JSON protocol as application/x-amz-json-1.1, or CBOR as \(cborContentType)")
        }
        return .json
    }

    /// The first event of a subscription, and the subscription ended (SubscribeToShard through `handle`).
    private func firstEvent(_ subscription: Subscription) throws(KinesisAPIError) -> [UInt8] {
        defer { subscription.end() }
        return try subscription.next()?.payload ?? Array("{}".utf8)
    }

    /// Runs one request; the answer's body is JSON for success and for refusal alike.
    /// `region` is the one the request is signed for (its SigV4 credential scope): ARNs
    /// in the answer name it, and a StreamARN in the request must (nil: this API's region).
    public func handle(_ action: Action, body: [UInt8], region: String? = nil) throws(KinesisAPIError) -> [UInt8] {
        if let region, region != self.region, Self.isRegionName(region) {
            return try inRegion(region).handle(action, body: body)
        }
        return switch action {
        case .putRecord: try putRecord(PutRecordInput(json: body))
        case .putRecords: try putRecords(PutRecordsInput(json: body))
        case .listShards: try listShards(ListShardsInput(json: body))
        case .describeStreamSummary: try describeStreamSummary(DescribeStreamSummaryInput(json: body))
        case .getShardIterator: try getShardIterator(GetShardIteratorInput(json: body))
        case .getRecords: try getRecords(GetRecordsInput(json: body))
        case .listStreams, .describeLimits, .createStream, .deleteStream:
            throw .internalFailure("\(action.rawValue) is answered for every stream by KinesisStreams, not by one stream's API")
        case .updateStreamMode: try updateStreamMode(StreamModeInput(json: body))
        case .describeStream: try describeStream(DescribeStreamInput(json: body))
        case .addTagsToStream: try addTags(TagsInput(json: body, shape: .tags, byResource: false))
        case .tagResource: try addTags(TagsInput(json: body, shape: .tags, byResource: true))
        case .removeTagsFromStream: try removeTags(TagsInput(json: body, shape: .tagKeys, byResource: false))
        case .untagResource: try removeTags(TagsInput(json: body, shape: .tagKeys, byResource: true))
        case .listTagsForStream: try listTags(TagsInput(json: body, shape: .listing, byResource: false), byResource: false)
        case .listTagsForResource: try listTags(TagsInput(json: body, shape: .listing, byResource: true), byResource: true)
        case .increaseStreamRetentionPeriod: try changeRetention(RetentionInput(json: body), increase: true)
        case .decreaseStreamRetentionPeriod: try changeRetention(RetentionInput(json: body), increase: false)
        case .splitShard, .mergeShards, .updateShardCount: try reshard(ReshardInput(json: body, action: action))
        case .registerStreamConsumer: try registerConsumer(ConsumerInput(json: body))
        case .describeStreamConsumer: try describeConsumer(ConsumerInput(json: body))
        case .listStreamConsumers: try listConsumers(ConsumerInput(json: body))
        case .deregisterStreamConsumer: try deregisterConsumer(ConsumerInput(json: body))
        case .subscribeToShard: try firstEvent(subscribe(body))
        case .startStreamEncryption, .stopStreamEncryption:
            throw .invalidArgument(
                "This service does not encrypt streams, so \(action.rawValue) is refused rather than pretended: the segment log is plain files under the data folder's stream/; encrypt the disk they are on")
        case .putResourcePolicy, .getResourcePolicy, .deleteResourcePolicy:
            throw .invalidArgument(
                "This service has no resource policies, so \(action.rawValue) is refused rather than pretended: access is by API key ('alleycat keys')")
        }
    }
}
