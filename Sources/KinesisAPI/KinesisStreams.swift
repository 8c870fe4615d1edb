import Foundation
import KinesisStream
import KinesisWire
import Synchronization

/// Every stream the service hosts, as the API sees them: the one its pipeline reads (the
/// primary, `serve --stream`), and those made with CreateStream. CreateStream, DeleteStream,
/// ListStreams and DescribeLimits are answered here; every other action goes to the API of
/// the stream it names (by StreamName, StreamARN, ResourceARN, ConsumerARN or the stream a
/// ShardIterator was made for). With only the primary stream a request goes straight to it.
///
/// A durable service keeps each made stream in `DATA/streams/<name>/` (its segment log,
/// shards, tags, consumers, mode and `created`), found again at start; a scratch service's
/// go when it stops.
public final class KinesisStreams: Sendable {
    /// Makes (or reopens) the embedded stream `name` of `shardCount` shards in `directory`
    /// (nil: a scratch stream).
    public typealias Opener = @Sendable (_ name: String, _ shardCount: Int, _ directory: String?) throws -> KinesisStream

    public let primary: KinesisAPI
    /// Where made streams are kept (nil: in scratch folders, gone at the end).
    let directory: String?
    let open: Opener
    let subscriptionMillis: Int64
    private let made: Mutex<[String: KinesisAPI]>

    /// The most shards, open in all streams (DescribeLimits' ShardLimit), and the most on-demand streams.
    static let onDemandStreamLimit = 50
    /// Shards an ON_DEMAND stream starts with, as on Kinesis.
    static let onDemandShards = 4

    public init(primary: KinesisAPI, directory: String?, subscriptionMillis: Int64 = KinesisAPI.defaultSubscriptionMillis, open: @escaping Opener) throws {
        self.primary = primary
        self.directory = directory
        self.open = open
        self.subscriptionMillis = subscriptionMillis
        var found: [String: KinesisAPI] = [:]
        if let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for name in names.sorted() where FileManager.default.fileExists(atPath: "\(directory)/\(name)/created") {
                let folder = "\(directory)/\(name)"
                // "<created, ms since 1970> <shards it was made with>"
                let fields = FileManager.default.contents(atPath: folder + "/created").map { String(decoding: $0, as: UTF8.self) }?
                    .split(whereSeparator: \.isWhitespace).compactMap { Int64($0) } ?? []
                guard fields.count == 2, (1...Int64(KinesisAPI.shardLimit)).contains(fields[1]) else {
                    throw StreamLogError("\(folder)/created does not hold the stream's creation time and shard count: restore it, or move \(folder) away")
                }
                found[name] = try Self.api(
                    open(name, Int(fields[1]), folder), folder: folder, createdMillis: fields[0], onDemand: false, subscriptionMillis: subscriptionMillis)
            }
        }
        made = Mutex(found)
    }

    private static func api(_ stream: KinesisStream, folder: String?, createdMillis: Int64, onDemand: Bool, subscriptionMillis: Int64) throws -> KinesisAPI {
        try KinesisAPI(
            stream: stream, createdMillis: createdMillis, tagsPath: folder.map { $0 + "/tags.json" }, consumersPath: folder.map { $0 + "/consumers.json" },
            subscriptionMillis: subscriptionMillis, modePath: folder.map { $0 + "/mode" }, onDemand: onDemand)
    }

    /// Every stream's API, the primary first.
    public var all: [KinesisAPI] { [primary] + made.withLock { $0.values.sorted { $0.stream.name < $1.stream.name } } }

    /// Runs one request against the stream it names.
    public func handle(_ action: KinesisAPI.Action, body: [UInt8], region: String? = nil) throws(KinesisAPIError) -> [UInt8] {
        switch action {
        case .createStream: return try create(CreateStreamInput(json: body))
        case .deleteStream: return try delete(DeleteStreamInput(json: body), region: region)
        case .listStreams: return try listStreams(ListStreamsInput(json: body), region: region)
        case .describeLimits: return try describeLimits(body)
        default: return try target(action, body).handle(action, body: body, region: region)
        }
    }

    /// PutRecords answered in CBOR, on the stream it names (`body`: the request as JSON).
    public func putRecordsCBOR(_ body: [UInt8], region: String? = nil) throws(KinesisAPIError) -> [UInt8] {
        try target(.putRecords, body).putRecordsCBOR(body, region: region)
    }

    /// SubscribeToShard on the stream its ConsumerARN names.
    public func subscribe(_ body: [UInt8], region: String? = nil) throws(KinesisAPIError) -> Subscription {
        try target(.subscribeToShard, body).subscribe(body, region: region)
    }

    /// The API of the stream a request names; the primary's when there is no other (its
    /// own checks then refuse a name that is not its stream's).
    func target(_ action: KinesisAPI.Action, _ body: [UInt8]) throws(KinesisAPIError) -> KinesisAPI {
        let others = made.withLock { $0 }
        if others.isEmpty { return primary }
        var name: String?
        var iterator: String?
        try readRequest(body) { reader, member in
            switch member {
            case "StreamName": name = try reader.optionalString(member) ?? name
            case "StreamARN", "ResourceARN", "ConsumerARN": name = try reader.optionalString(member).map(Self.streamName(arn:)) ?? name
            case "ShardIterator": iterator = try reader.optionalString(member)
            default: try reader.skipValue()
            }
        }
        if let name {
            if name == primary.stream.name { return primary }
            guard let api = others[name] else {
                throw .resourceNotFound("Stream \(name) under account \(primary.accountId) not found: ListStreams gives this service's \(others.count + 1) streams")
            }
            return api
        }
        if let iterator {
            for api in [primary] + others.values where (try? api.iterators.decode(iterator)) != nil { return api }
        }
        return primary
    }

    /// `arn:aws:kinesis:REGION:ACCOUNT:stream/NAME[/consumer/...]` → NAME (or the text as it is).
    static func streamName(arn: String) -> String {
        guard let range = arn.range(of: ":stream/") else { return arn }
        return String(arn[range.upperBound...].prefix { $0 != "/" })
    }

    /// CreateStream → `{}`: the stream is ACTIVE at once.
    func create(_ input: CreateStreamInput) throws(KinesisAPIError) -> [UInt8] {
        let shards = input.onDemand ? input.shardCount ?? Self.onDemandShards : input.shardCount!
        let accountId = primary.accountId
        try made.withLock { made throws(KinesisAPIError) in
            guard input.name != primary.stream.name, made[input.name] == nil else {
                throw .resourceInUse("Stream \(input.name) under account \(accountId) already exists.")
            }
            let open = ([primary] + made.values).reduce(0) { $0 + $1.stream.openShardCount }
            guard open + shards <= KinesisAPI.shardLimit else {
                throw .limitExceeded(
                    "This request would exceed the shard limit for the account \(accountId) in \(primary.region). Current open shard count for the account: \(open). Limit: \(KinesisAPI.shardLimit). Number of additional shards that would have resulted from this request: \(shards).")
            }
            if input.onDemand, made.values.filter(\.mode.isOnDemand).count + (primary.mode.isOnDemand ? 1 : 0) >= Self.onDemandStreamLimit {
                throw .limitExceeded("Account \(accountId) already has \(Self.onDemandStreamLimit) ON_DEMAND streams, the most it may have")
            }
            let now = primary.stream.clock.nowMillis()
            let folder = directory.map { "\($0)/\(input.name)" }
            do {
                if let folder {
                    // What a creation that did not finish left (no `created` file: not found at start) goes first.
                    try? FileManager.default.removeItem(atPath: folder)
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                }
                let stream = try self.open(input.name, shards, folder)
                let api = try Self.api(stream, folder: folder, createdMillis: now, onDemand: input.onDemand, subscriptionMillis: subscriptionMillis)
                try api.mode.set(onDemand: input.onDemand)
                // Written last: a folder without it is a stream whose creation did not finish.
                if let folder { try Data("\(now) \(shards)\n".utf8).write(to: URL(fileURLWithPath: folder + "/created"), options: .atomic) }
                made[input.name] = api
            } catch let error as KinesisAPIError {
                throw error
            } catch {
                if let folder { try? FileManager.default.removeItem(atPath: folder) }
                throw .internalFailure("stream \(input.name) could not be made (\(error)); nothing was kept: retry later")
            }
        }
        return Array("{}".utf8)
    }

    /// DeleteStream → `{}`: the stream and its records are gone at once. The primary stream,
    /// which the pipeline reads, cannot be deleted while the service runs.
    func delete(_ input: DeleteStreamInput, region: String?) throws(KinesisAPIError) -> [UInt8] {
        let name = input.stream.name ?? input.stream.arn.map(Self.streamName(arn:)) ?? ""
        let accountId = primary.accountId
        guard let target = name == primary.stream.name ? primary : made.withLock({ $0[name] }) else {
            // A malformed name or ARN is refused as every action refuses it; a well-formed one is not found.
            if !(1...128).contains(name.utf8.count) || !name.utf8.allSatisfy(StreamTarget.isNameByte) { try input.stream.check(primary) }
            throw .resourceNotFound("Stream \(name) under account \(accountId) not found.")
        }
        try input.stream.check(target)
        guard name != primary.stream.name else {
            throw .resourceInUse(
                "Stream \(name) under account \(accountId) is the one this service's pipeline reads (serve --stream): it cannot be deleted while the service runs")
        }
        try made.withLock { made throws(KinesisAPIError) in
            guard let api = made[name] else {
                throw .resourceNotFound("Stream \(name) under account \(accountId) not found.")
            }
            if api.consumers.count > 0 && !input.enforceConsumerDeletion {
                throw .resourceInUse(
                    "Stream \(name) under account \(accountId) has \(api.consumers.count) registered consumer(s): deregister them, or send EnforceConsumerDeletion true")
            }
            made[name] = nil
            if let directory { try? FileManager.default.removeItem(atPath: "\(directory)/\(name)") }
        }
        return Array("{}".utf8)
    }

    /// ListStreams → `{"StreamNames", "HasMoreStreams", "StreamSummaries", "NextToken"?}` by name.
    func listStreams(_ input: ListStreamsInput, region: String?) throws(KinesisAPIError) -> [UInt8] {
        var after = input.exclusiveStartStreamName
        if let token = input.nextToken {
            guard let bytes = Base64.decode(token), let name = String(validating: bytes, as: UTF8.self) else {
                throw .invalidArgument("NextToken '\(token.prefix(64))' is not one this service gave: send the NextToken of the previous ListStreams answer")
            }
            after = name
        }
        var streams: [KinesisAPI] = all.sorted { $0.stream.name < $1.stream.name }
        if let after { streams = streams.filter { $0.stream.name > after } }
        if let region, region != primary.region, KinesisAPI.isRegionName(region) { streams = streams.map { $0.inRegion(region) } }
        let page = streams.prefix(input.limit)
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("StreamNames")
        writer.beginArray()
        for api in page { writer.string(api.stream.name) }
        writer.endArray()
        writer.key("HasMoreStreams")
        writer.bool(page.count < streams.count)
        writer.key("StreamSummaries")
        writer.beginArray()
        for api in page {
            writer.beginObject()
            api.writeStreamIdentity(&writer)
            writer.key("StreamCreationTimestamp")
            writer.epochSeconds(millis: api.createdMillis)
            writer.endObject()
        }
        writer.endArray()
        if page.count < streams.count, let last = page.last {
            writer.key("NextToken")
            writer.string(Base64.encode(Array(last.stream.name.utf8)))
        }
        writer.endObject()
        return writer.bytes
    }

    /// DescribeLimits → the shard limit and the open shards of every stream, and the on-demand streams.
    func describeLimits(_ json: [UInt8]) throws(KinesisAPIError) -> [UInt8] {
        try readRequest(json) { reader, _ in try reader.skipValue() }
        let streams = all
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("ShardLimit")
        writer.integer(KinesisAPI.shardLimit)
        writer.key("OpenShardCount")
        writer.integer(streams.reduce(0) { $0 + $1.stream.openShardCount })
        writer.key("OnDemandStreamCount")
        writer.integer(streams.filter(\.mode.isOnDemand).count)
        writer.key("OnDemandStreamCountLimit")
        writer.integer(Self.onDemandStreamLimit)
        writer.endObject()
        return writer.bytes
    }
}

/// CreateStream's request: StreamName, ShardCount (for PROVISIONED) and StreamModeDetails.
struct CreateStreamInput {
    var name: String
    var shardCount: Int?
    var onDemand: Bool

    init(json: [UInt8]) throws(KinesisAPIError) {
        var name: String?
        var shardCount: Int64?
        var mode: String?
        try readRequest(json) { reader, member in
            switch member {
            case "StreamName": name = try reader.optionalString(member)
            case "ShardCount": shardCount = try reader.optionalInteger(member)
            case "StreamModeDetails": mode = try reader.streamMode() ?? mode
            default: try reader.skipValue()
            }
        }
        guard let name else { throw missing("streamName") }
        guard (1...128).contains(name.utf8.count), name.utf8.allSatisfy(StreamTarget.isNameByte) else {
            throw constraintError("streamName", value: name, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128")
        }
        if let mode, mode != "PROVISIONED" && mode != "ON_DEMAND" {
            throw constraintError("streamModeDetails.streamMode", value: mode, "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]")
        }
        let count = try pageSize(shardCount, field: "shardCount", range: 1...100_000)
        let onDemand = mode == "ON_DEMAND"
        if !onDemand && count == nil {
            throw .invalidArgument("ShardCount is required for a PROVISIONED stream: send ShardCount, or StreamModeDetails {StreamMode: ON_DEMAND}")
        }
        self.name = name
        self.shardCount = count
        self.onDemand = onDemand
    }
}

/// DeleteStream's request: StreamName or StreamARN, EnforceConsumerDeletion.
struct DeleteStreamInput {
    var stream = StreamTarget()
    var enforceConsumerDeletion = false

    init(json: [UInt8]) throws(KinesisAPIError) {
        var stream = StreamTarget()
        var enforce = false
        try readRequest(json) { reader, member in
            if try stream.read(member, &reader) { return }
            if member == "EnforceConsumerDeletion" { enforce = reader.readNull() ? false : try reader.readBool() } else { try reader.skipValue() }
        }
        guard stream.isGiven else { throw .validation("Either StreamName or StreamARN is required") }
        self.stream = stream
        enforceConsumerDeletion = enforce
    }
}

extension JSONReader {
    /// `StreamModeDetails`' StreamMode (CreateStream, UpdateStreamMode), nil when null or absent.
    mutating func streamMode() throws -> String? {
        if readNull() { return nil }
        try expectKind(.object, "StreamModeDetails")
        var mode: String?
        try readObject { reader, member in
            if member == "StreamMode" { mode = try reader.optionalString("StreamModeDetails.StreamMode") } else { try reader.skipValue() }
        }
        return mode
    }
}

/// UpdateStreamMode's request: StreamARN and StreamModeDetails.
struct StreamModeInput {
    var stream = StreamTarget()
    var onDemand: Bool

    init(json: [UInt8]) throws(KinesisAPIError) {
        var stream = StreamTarget()
        var mode: String?
        try readRequest(json) { reader, member in
            if try stream.read(member, &reader) { return }
            if member == "StreamModeDetails" { mode = try reader.streamMode() ?? mode } else { try reader.skipValue() }
        }
        guard let mode else { throw missing("streamModeDetails") }
        guard mode == "PROVISIONED" || mode == "ON_DEMAND" else {
            throw constraintError("streamModeDetails.streamMode", value: mode, "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]")
        }
        self.stream = stream
        onDemand = mode == "ON_DEMAND"
    }
}

extension KinesisAPI {
    /// UpdateStreamMode → `{}`: the mode is recorded and shown; shards do not scale by themselves.
    func updateStreamMode(_ input: StreamModeInput) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        try mode.set(onDemand: input.onDemand)
        return Array("{}".utf8)
    }
}
