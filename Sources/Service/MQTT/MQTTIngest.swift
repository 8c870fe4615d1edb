import Foundation
import KinesisStream
import MQTT
import MQTTWire
import RaceModel
import Synchronization

/// The original's IoT topic rule on a real broker (`alleycat serve --mqtt`): every message
/// on the publish topic goes into the stream, keyed by its arrival time in milliseconds
/// (`timestamp()`, as the rule had it) or by racer. At QoS 1 the subscription is a
/// persistent session and a message is acknowledged to the broker only once the stream
/// has accepted it, so a crash or restart loses nothing: the broker delivers again what
/// was not acknowledged. The payload goes in as it came: a malformed one is set aside by
/// the firehose with its reason, as a malformed record from PutRecords is.
public final class MQTTIngest: Sendable {
    public enum PartitionKeyRule: String, Sendable, CaseIterable {
        /// The arrival time in milliseconds, as the original rule's `timestamp()`.
        case time
        /// The message's racerId (the arrival time when it has none).
        case racer
    }

    public struct Configuration: Sendable {
        public var url: MQTTURL
        public var topic = "alleycat-publish"
        public var qos: MQTTQoS = .atLeastOnce
        /// The session's name at the broker, the same across restarts so the session persists.
        public var clientId = "alleycat-ingest"
        public var partitionKey = PartitionKeyRule.time
        /// With `mqtts://`: a PEM file of certificates to trust (default: the system's).
        public var trustRootsFile: String?

        public init(url: MQTTURL) {
            self.url = url
        }
    }

    /// Counts since start (`/metrics` and the stop line).
    public struct Counts: Sendable, Equatable {
        public var received = 0
        public var accepted = 0
        /// Messages refused for throughput or by the stream's storage and put again.
        public var retried = 0
        /// QoS 0 messages dropped because a million were already waiting for the stream
        /// (QoS 1 ones are never dropped: the broker holds what is not acknowledged).
        public var dropped = 0
    }

    /// What arrived and is not in the stream yet, filled on the connection's event loop.
    private final class Inbox: Sendable {
        struct Queue {
            var messages: [MQTTMessage] = []
            /// The worker holds a batch it took.
            var putting = false
            var stopped = false
        }

        static let maximumWaiting = 1_000_000
        let queue = Mutex(Queue())
        let ready = DispatchSemaphore(value: 0)
        let counts = Mutex(Counts())

        /// Signals the worker when the queue was empty (otherwise it is still taking batches).
        func add(_ message: MQTTMessage) {
            let (taken, wasEmpty) = queue.withLock { queue -> (Bool, Bool) in
                guard message.acknowledgement != nil || queue.messages.count < Self.maximumWaiting else { return (false, false) }
                queue.messages.append(message)
                return (true, queue.messages.count == 1)
            }
            counts.withLock { counts in
                counts.received += 1
                if !taken { counts.dropped += 1 }
            }
            if wasEmpty { ready.signal() }
        }
    }

    public let configuration: Configuration
    public let client: MQTTClient
    private let stream: KinesisStream
    private let clock: any EpochClock
    private let inbox: Inbox
    private let lastProblem = Mutex<String?>(nil)
    private let worker = DispatchGroup()

    public init(configuration: Configuration, stream: KinesisStream, clock: any EpochClock, log: @escaping @Sendable (String) -> Void = { print($0) }) throws(MQTTClientError) {
        self.configuration = configuration
        self.stream = stream
        self.clock = clock
        var client = MQTTClient.Configuration(url: configuration.url, clientId: configuration.clientId)
        client.cleanSession = configuration.qos == .atMostOnce
        client.subscriptions = [MQTTSubscription(filter: configuration.topic, qos: configuration.qos)]
        client.trustRootsFile = configuration.trustRootsFile
        let inbox = Inbox()
        self.inbox = inbox
        let topic = configuration.topic
        let url = configuration.url
        self.client = try MQTTClient(
            configuration: client,
            onMessage: { inbox.add($0) },
            onEvent: { event in
                switch event {
                case let .connected(sessionPresent):
                    log("alleycat serve: MQTT connected to \(url)\(sessionPresent ? " (session kept: the broker delivers what was not acknowledged)" : "")")
                case let .subscribed(granted):
                    if granted.contains(0x80) { log("alleycat serve: the broker at \(url) refused the subscription to '\(topic)': check its ACL") }
                case let .disconnected(reason, retry):
                    if let retry { log("alleycat serve: MQTT: \(reason); reconnecting in \(retry) ms") }
                }
            })
    }

    public var counts: Counts { inbox.counts.withLock { $0 } }

    /// Connects and starts the thread that puts what arrives into the stream.
    public func start() {
        worker.enter()
        let thread = Thread { [self] in
            defer { worker.leave() }
            run()
        }
        thread.name = "alleycat mqtt ingest"
        thread.start()
        client.start()
    }

    /// Puts and acknowledges what arrived (for up to 5 s), disconnects, then puts the QoS 0
    /// messages that came meanwhile. QoS 1 ones that came meanwhile are left to the broker,
    /// which delivers them again on the next connection (putting them now would double them).
    public func stop() {
        let deadline = SystemClock.monotonicNanos() + 5_000_000_000
        while inbox.queue.withLock({ !$0.messages.isEmpty || $0.putting }), SystemClock.monotonicNanos() < deadline {
            usleep(1000)
        }
        try? client.stop().wait()
        inbox.queue.withLock { queue in
            queue.messages.removeAll { $0.acknowledgement != nil }
            queue.stopped = true
        }
        inbox.ready.signal()
        worker.wait()
    }

    private func run() {
        var retry = 0
        while true {
            let (batch, stopped) = inbox.queue.withLock { queue in
                let batch = Self.takeBatch(&queue.messages)
                queue.putting = !batch.isEmpty
                return (batch, queue.stopped)
            }
            if batch.isEmpty {
                if stopped { return }
                inbox.ready.wait()
                continue
            }
            let left = put(batch)
            // What was not accepted goes back at the head, in order.
            inbox.queue.withLock { queue in
                queue.messages.insert(contentsOf: left, at: 0)
                queue.putting = false
            }
            if left.isEmpty {
                retry = 0
            } else if stopped, retry >= 20 {
                note("stopping with \(left.count) QoS 0 message(s) the stream would not take")
                return
            } else {
                // A backoff of 10 ms doubling to 1 s.
                retry += 1
                usleep(UInt32(min(1000, 10 << min(retry - 1, 7))) * 1000)
            }
        }
    }

    /// Up to 500 messages and 4 MiB (under PutRecords's limits of 500 records and 5 MiB).
    private static func takeBatch(_ messages: inout [MQTTMessage]) -> [MQTTMessage] {
        var count = 0
        var bytes = 0
        while count < messages.count, count < 500, bytes + messages[count].payload.count <= 4 << 20 || count == 0 {
            bytes += messages[count].payload.count
            count += 1
        }
        defer { messages.removeFirst(count) }
        return Array(messages.prefix(count))
    }

    /// Puts one batch; acknowledges what the stream accepted and returns the rest, in order.
    private func put(_ batch: [MQTTMessage]) -> [MQTTMessage] {
        let now = String(clock.nowMillis())
        let entries = batch.map { message in
            PutRecordsRequestEntry(data: message.payload, partitionKey: Self.partitionKey(message.payload, rule: configuration.partitionKey, time: now))
        }
        let response: PutRecordsResponse
        do {
            response = try stream.putRecords(entries)
        } catch {
            note("the stream refused \(batch.count) MQTT message(s): \(error); not acknowledged, trying again")
            inbox.counts.withLock { $0.retried += batch.count }
            return batch
        }
        var acknowledgements: [MQTTAcknowledgement] = []
        var left: [MQTTMessage] = []
        for (message, result) in zip(batch, response.records) {
            switch result {
            case .accepted:
                if let acknowledgement = message.acknowledgement { acknowledgements.append(acknowledgement) }
            case .refused:
                left.append(message)
            }
        }
        MQTTAcknowledgement.send(acknowledgements)
        inbox.counts.withLock { counts in
            counts.accepted += batch.count - left.count
            counts.retried += left.count
        }
        return left
    }

    /// The partition key of a message under `rule`: `time` is the arrival time in ms.
    static func partitionKey(_ payload: [UInt8], rule: PartitionKeyRule, time: String) -> String {
        guard rule == .racer, let message = try? RecordParser.parse(payload) else { return time }
        return String(message.racerId)
    }

    /// Prints a problem once, not once per batch while it lasts.
    private func note(_ problem: String) {
        let new = lastProblem.withLock { last in
            defer { last = problem }
            return last != problem
        }
        if new { print("alleycat serve: MQTT ingest: \(problem)") }
    }
}
