import Foundation
import KinesisStream
import KinesisWire
import Synchronization

/// The stream's enhanced fan-out consumers (RegisterStreamConsumer ...), at most 20 as on
/// Kinesis, kept in a JSON file beside the stream's log (written whole, atomically) so
/// they survive a restart; in memory only for a scratch stream. A consumer is ACTIVE as
/// soon as it is registered and gone as soon as it is deregistered. Each has at most one
/// SubscribeToShard subscription per shard at a time.
final class StreamConsumers: Sendable {
    static let maximumConsumers = 20

    struct Consumer: Codable, Equatable {
        var name: String
        var createdMillis: Int64
    }

    private struct State {
        var consumers: [String: Consumer]
        /// Consumer name and shard index of each running subscription.
        var subscriptions: Set<String> = []
    }

    private let path: String?
    private let state: Mutex<State>

    init(path: String?) throws(KinesisAPIError) {
        self.path = path
        var loaded: [String: Consumer] = [:]
        if let path, FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path), let list = try? JSONDecoder().decode([Consumer].self, from: data) else {
                throw .internalFailure("the stream's consumers in \(path) do not read as a list of consumers: fix or remove the file")
            }
            loaded = Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
        }
        state = Mutex(State(consumers: loaded))
    }

    var count: Int { state.withLock { $0.consumers.count } }

    /// Every consumer, by name.
    var all: [Consumer] { state.withLock { $0.consumers.values.sorted { $0.name < $1.name } } }

    func consumer(named name: String) -> Consumer? { state.withLock { $0.consumers[name] } }

    func register(_ name: String, nowMillis: Int64, streamName: String, accountId: String) throws(KinesisAPIError) -> Consumer {
        try change { consumers throws(KinesisAPIError) in
            if consumers[name] != nil {
                throw .resourceInUse("Consumer \(name) under stream \(streamName) under account \(accountId) already exists: DescribeStreamConsumer gives it")
            }
            guard consumers.count < Self.maximumConsumers else {
                throw .limitExceeded("Stream \(streamName) under account \(accountId) already has \(Self.maximumConsumers) consumers, the most a stream may have: deregister one first")
            }
            let consumer = Consumer(name: name, createdMillis: nowMillis)
            consumers[name] = consumer
            return consumer
        }
    }

    func deregister(_ name: String, notFound: KinesisAPIError) throws(KinesisAPIError) {
        try change { consumers throws(KinesisAPIError) in
            guard consumers.removeValue(forKey: name) != nil else { throw notFound }
        }
    }

    /// Claims the consumer's subscription to `shard`, refused while another runs.
    func startSubscription(_ name: String, shard: Int, refusal: KinesisAPIError) throws(KinesisAPIError) {
        let started = state.withLock { $0.subscriptions.insert("\(name)/\(shard)").inserted }
        guard started else { throw refusal }
    }

    func endSubscription(_ name: String, shard: Int) {
        _ = state.withLock { $0.subscriptions.remove("\(name)/\(shard)") }
    }

    private func change<Result>(_ edit: (inout [String: Consumer]) throws(KinesisAPIError) -> Result) throws(KinesisAPIError) -> Result {
        try state.withLock { state throws(KinesisAPIError) -> Result in
            var changed = state.consumers
            let result = try edit(&changed)
            if let path {
                do {
                    try JSONEncoder().encode(changed.values.sorted { $0.name < $1.name }).write(to: URL(fileURLWithPath: path), options: .atomic)
                } catch {
                    throw .internalFailure("the stream's consumers could not be saved to \(path) (\(error)); nothing changed: retry later")
                }
            }
            state.consumers = changed
            return result
        }
    }
}

/// RegisterStreamConsumer's, DescribeStreamConsumer's, DeregisterStreamConsumer's and
/// ListStreamConsumers' requests: StreamARN with ConsumerName, or ConsumerARN.
struct ConsumerInput {
    var streamARN: String?
    var consumerName: String?
    var consumerARN: String?
    var maxResults: Int?
    var nextToken: String?

    init(json: [UInt8]) throws(KinesisAPIError) {
        var streamARN: String?
        var consumerName: String?
        var consumerARN: String?
        var maxResults: Int64?
        var nextToken: String?
        try readRequest(json) { reader, member in
            switch member {
            case "StreamARN": streamARN = try reader.optionalString(member)
            case "ConsumerName": consumerName = try reader.optionalString(member)
            case "ConsumerARN": consumerARN = try reader.optionalString(member)
            case "MaxResults": maxResults = try reader.optionalInteger(member)
            case "NextToken": nextToken = try reader.optionalString(member)
            default: try reader.skipValue()
            }
        }
        if let consumerName {
            guard (1...128).contains(consumerName.utf8.count), consumerName.utf8.allSatisfy(StreamTarget.isNameByte) else {
                throw constraintError("consumerName", value: consumerName, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
            }
        }
        self.streamARN = streamARN
        self.consumerName = consumerName
        self.consumerARN = consumerARN
        self.maxResults = try pageSize(maxResults, field: "maxResults", range: 1...10_000)
        self.nextToken = nextToken
    }
}

/// SubscribeToShard's request: ConsumerARN, ShardId, StartingPosition {Type, SequenceNumber, Timestamp}.
struct SubscribeInput {
    var consumerARN: String
    var shardId: String
    var position: GetShardIteratorInput.Position

    init(json: [UInt8]) throws(KinesisAPIError) {
        var consumerARN: String?
        var shardId: String?
        var typeName: String?
        var sequenceNumber: String?
        var timestamp: Int64?
        var positionGiven = false
        try readRequest(json) { reader, member in
            switch member {
            case "ConsumerARN": consumerARN = try reader.optionalString(member)
            case "ShardId": shardId = try reader.optionalString(member)
            case "StartingPosition":
                if reader.readNull() { return }
                try reader.expectKind(.object, member)
                positionGiven = true
                try reader.readObject { reader, member in
                    switch member {
                    case "Type": typeName = try reader.optionalString("StartingPosition.Type")
                    case "SequenceNumber": sequenceNumber = try reader.optionalString("StartingPosition.SequenceNumber")
                    case "Timestamp": timestamp = try reader.optionalTimestamp("StartingPosition.Timestamp")
                    default: try reader.skipValue()
                    }
                }
            default: try reader.skipValue()
            }
        }
        guard let consumerARN else { throw missing("consumerARN") }
        guard let shardId else { throw missing("shardId") }
        guard positionGiven else { throw missing("startingPosition") }
        self.consumerARN = consumerARN
        self.shardId = shardId
        position = try GetShardIteratorInput.position(
            typeName: typeName, startingSequenceNumber: sequenceNumber, timestamp: timestamp, field: "startingPosition.type")
    }
}

extension KinesisAPI {
    /// How long a SubscribeToShard subscription lasts unless the API says otherwise, on the stream's clock (Kinesis: 5 minutes).
    public static let defaultSubscriptionMillis: Int64 = 5 * 60_000

    func consumerARN(_ consumer: StreamConsumers.Consumer) -> String {
        "\(streamARN)/consumer/\(consumer.name):\(consumer.createdMillis / 1000)"
    }

    /// The consumer a request names by ConsumerARN, or by StreamARN and ConsumerName.
    func namedConsumer(_ input: ConsumerInput) throws(KinesisAPIError) -> StreamConsumers.Consumer {
        if let arn = input.consumerARN { return try consumer(arn: arn) }
        guard let streamARN = input.streamARN, let name = input.consumerName else {
            throw .invalidArgument("Name a consumer by ConsumerARN, or by StreamARN and ConsumerName")
        }
        try StreamTarget(arn: streamARN).check(self)
        guard let consumer = consumers.consumer(named: name) else {
            throw .resourceNotFound("Consumer \(name) under stream \(stream.name) under account \(accountId) not found: ListStreamConsumers gives the stream's consumers")
        }
        return consumer
    }

    func consumer(arn: String) throws(KinesisAPIError) -> StreamConsumers.Consumer {
        let prefix = streamARN + "/consumer/"
        guard arn.hasPrefix(prefix), let colon = arn.lastIndex(of: ":"), colon >= arn.index(arn.startIndex, offsetBy: prefix.count) else {
            throw .resourceNotFound("Consumer \(arn.prefix(256)) not found: a consumer ARN of this stream starts with \(prefix)")
        }
        let name = String(arn[arn.index(arn.startIndex, offsetBy: prefix.count)..<colon])
        guard let consumer = consumers.consumer(named: name), consumerARN(consumer) == arn else {
            throw .resourceNotFound("Consumer \(arn.prefix(256)) not found: ListStreamConsumers gives the stream's consumers")
        }
        return consumer
    }

    private func writeConsumer(_ consumer: StreamConsumers.Consumer, withStream: Bool, _ writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("ConsumerName")
        writer.string(consumer.name)
        writer.key("ConsumerARN")
        writer.string(consumerARN(consumer))
        writer.key("ConsumerStatus")
        writer.string("ACTIVE")
        writer.key("ConsumerCreationTimestamp")
        writer.epochSeconds(millis: consumer.createdMillis)
        if withStream {
            writer.key("StreamARN")
            writer.string(streamARN)
        }
        writer.endObject()
    }

    /// RegisterStreamConsumer → `{"Consumer": {...}}`, ACTIVE at once.
    func registerConsumer(_ input: ConsumerInput) throws(KinesisAPIError) -> [UInt8] {
        guard let streamARN = input.streamARN else { throw missing("streamARN") }
        guard let name = input.consumerName else { throw missing("consumerName") }
        try StreamTarget(arn: streamARN).check(self)
        let consumer = try consumers.register(name, nowMillis: stream.clock.nowMillis(), streamName: stream.name, accountId: accountId)
        return consumerAnswer("Consumer", consumer, withStream: false)
    }

    /// `{"<key>": {the consumer}}`
    private func consumerAnswer(_ key: StaticString, _ consumer: StreamConsumers.Consumer, withStream: Bool) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key(key)
        writeConsumer(consumer, withStream: withStream, &writer)
        writer.endObject()
        return writer.bytes
    }

    /// DescribeStreamConsumer → `{"ConsumerDescription": {..., "StreamARN"}}`.
    func describeConsumer(_ input: ConsumerInput) throws(KinesisAPIError) -> [UInt8] {
        consumerAnswer("ConsumerDescription", try namedConsumer(input), withStream: true)
    }

    /// DeregisterStreamConsumer → `{}`; the consumer is gone at once.
    func deregisterConsumer(_ input: ConsumerInput) throws(KinesisAPIError) -> [UInt8] {
        let consumer = try namedConsumer(input)
        try consumers.deregister(consumer.name, notFound: .resourceNotFound("Consumer \(consumer.name) not found"))
        return Array("{}".utf8)
    }

    /// ListStreamConsumers → `{"Consumers": [...], "NextToken"?}`, by name, MaxResults a page.
    func listConsumers(_ input: ConsumerInput) throws(KinesisAPIError) -> [UInt8] {
        guard let streamARN = input.streamARN else { throw missing("streamARN") }
        try StreamTarget(arn: streamARN).check(self)
        var all = consumers.all
        if let token = input.nextToken {
            guard let bytes = Base64.decode(token), let after = String(validating: bytes, as: UTF8.self) else {
                throw .invalidArgument("NextToken '\(token.prefix(64))' is not one this service gave: send the NextToken of the previous ListStreamConsumers answer")
            }
            all = all.filter { $0.name > after }
        }
        let page = all.prefix(input.maxResults ?? 100)
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("Consumers")
        writer.beginArray()
        for consumer in page { writeConsumer(consumer, withStream: false, &writer) }
        writer.endArray()
        if page.count < all.count, let last = page.last {
            writer.key("NextToken")
            writer.string(Base64.encode(Array(last.name.utf8)))
        }
        writer.endObject()
        return writer.bytes
    }

    /// SubscribeToShard: the consumer's subscription to one shard, read event by event
    /// (`Subscription.next()`) until it ends after 5 minutes or at a closed shard's end.
    public func subscribe(_ body: [UInt8], region: String? = nil) throws(KinesisAPIError) -> Subscription {
        if let region, region != self.region, Self.isRegionName(region) {
            return try inRegion(region).subscribe(body)
        }
        let input = try SubscribeInput(json: body)
        let consumer = try consumer(arn: input.consumerARN)
        let iterator = try streamIterator(shardText: input.shardId, at: input.position, for: "SubscribeToShard")
        try consumers.startSubscription(
            consumer.name, shard: iterator.shardId.index,
            refusal: .resourceInUse("Another active subscription exists for consumer \(consumerARN(consumer)) on shard \(iterator.shardId): end it, or wait until it ends (5 minutes at most)"))
        return Subscription(api: self, consumer: consumer, iterator: iterator, startedMillis: stream.clock.nowMillis())
    }
}

/// One SubscribeToShard subscription: each `next()` is the payload of the next
/// `SubscribeToShardEvent` (Records, ContinuationSequenceNumber, MillisBehindLatest, and
/// ChildShards at a closed shard's end), nil once it has ended. `end()` lets another
/// subscription of the consumer to the shard start.
public final class Subscription: Sendable {
    let api: KinesisAPI
    let consumer: StreamConsumers.Consumer
    let startedMillis: Int64
    public let shardId: ShardID
    private let position: Mutex<ShardIterator?>

    init(api: KinesisAPI, consumer: StreamConsumers.Consumer, iterator: ShardIterator, startedMillis: Int64) {
        self.api = api
        self.consumer = consumer
        self.startedMillis = startedMillis
        shardId = iterator.shardId
        position = Mutex(iterator)
    }

    /// The next event's JSON payload and how many records it has, nil when the subscription is over: its 5 minutes are
    /// up (after one last event), the consumer was deregistered, or a closed shard was read
    /// to its end (that last event has its ChildShards).
    public func next(maximumRecords: Int = CallLimits.maximumGetRecords) throws(KinesisAPIError) -> (payload: [UInt8], records: Int)? {
        guard let iterator = position.withLock({ $0 }) else { return nil }
        guard api.consumers.consumer(named: consumer.name) == consumer else { return nil }
        let result: GetRecordsResult
        do {
            result = try api.stream.getRecords(iterator, limit: maximumRecords)
        } catch {
            throw KinesisAPIError(error)
        }
        let expired = api.stream.clock.nowMillis() - startedMillis >= api.subscriptionMillis
        position.withLock { $0 = expired ? nil : result.nextShardIterator }
        var writer = JSONWriter(capacity: 256 + result.records.reduce(0) { $0 + $1.data.count * 4 / 3 + 120 })
        writer.beginObject()
        api.writeRecords(result.records, &writer)
        // The last record given (or the one before the position): continue AFTER_SEQUENCE_NUMBER it.
        // None at a closed shard's end, where the children follow.
        if let next = result.nextShardIterator {
            writer.key("ContinuationSequenceNumber")
            writer.sequenceNumber(SequenceNumber(shardIndex: next.shardId.index, counter: next.nextCounter - 1))
        }
        writer.key("MillisBehindLatest")
        writer.integer(result.millisBehindLatest)
        if result.nextShardIterator == nil { api.writeChildShards(result.childShards, &writer) }
        writer.endObject()
        return (writer.bytes, result.records.count)
    }

    /// Whether the last event was the last one.
    public var isOver: Bool { position.withLock { $0 == nil } }

    public func end() {
        api.consumers.endSubscription(consumer.name, shard: shardId.index)
    }
}
