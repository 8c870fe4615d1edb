import Foundation
import KinesisStream
import MQTT
import MQTTWire
import RaceModel
import Synchronization

/// Sends each put's PUBACKs once those of every earlier put are sent, so they go out in the
/// order the messages came however the puts finish.
private final class AcknowledgementSequencer: Sendable {
    private struct State {
        var next = 0
        var finished: [Int: [MQTTAcknowledgement]] = [:]
    }

    private let state = Mutex(State())

    func finished(_ number: Int, _ acknowledgements: [MQTTAcknowledgement]) {
        // Sent under the lock: two finishing puts must not interleave their PUBACKs.
        state.withLock { state in
            state.finished[number] = acknowledgements
            while let ready = state.finished.removeValue(forKey: state.next) {
                MQTTAcknowledgement.send(ready)
                state.next += 1
            }
        }
    }
}

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

    /// A message and when it came (its partition key under the `time` rule).
    struct Arrival: Sendable {
        let message: MQTTMessage
        let millis: Int64
    }

    /// A first-in first-out queue of arrivals whose front is taken in batches in O(batch)
    /// (an array's removeFirst would move the whole backlog every batch).
    struct ArrivalQueue {
        private var items: [Arrival] = []
        private var head = 0

        var count: Int { items.count - head }
        var isEmpty: Bool { count == 0 }

        mutating func append(_ arrival: Arrival) {
            items.append(arrival)
        }

        /// Up to `limit` arrivals and `bytes` of payload (at least one), from the front:
        /// 500 and 4 MiB keep a put under PutRecords's limits of 500 records and 5 MiB.
        mutating func take(upTo limit: Int, bytes limitBytes: Int) -> [Arrival] {
            var end = head
            var bytes = 0
            while end < items.count, end - head < limit, bytes + items[end].message.payload.count <= limitBytes || end == head {
                bytes += items[end].message.payload.count
                end += 1
            }
            let taken = Array(items[head..<end])
            head = end
            if head > 4096, head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return taken
        }

        /// Puts arrivals back at the front, in their order.
        mutating func putBack(_ arrivals: [Arrival]) {
            if head >= arrivals.count {
                head -= arrivals.count
                items.replaceSubrange(head..<head + arrivals.count, with: arrivals)
            } else {
                items = arrivals + items[head...]
                head = 0
            }
        }

        mutating func removeAll(where shouldRemove: (Arrival) -> Bool) {
            items = items[head...].filter { !shouldRemove($0) }
            head = 0
        }
    }

    /// What arrived and is not in the stream yet, filled on the connection's event loop.
    private final class Inbox: Sendable {
        struct Queue {
            var messages = ArrivalQueue()
            /// Refused messages, put again from `delayedUntil` (monotonic ns) on; meanwhile new
            /// messages go on (a refusal is one shard's, the others take theirs).
            var delayed = ArrivalQueue()
            var delayedUntil: Int64 = 0
            /// Refusals in a row, for the backoff.
            var retry = 0
            var putsInFlight = 0
            var stopped = false

            /// The next batch: refused messages once their backoff is over, else new ones; or
            /// how long until the refused ones are due (0: nothing waits).
            mutating func nextBatch() -> (batch: [Arrival], dueInNanos: Int64) {
                let now = SystemClock.monotonicNanos()
                let batch: [Arrival]
                if !delayed.isEmpty, now >= delayedUntil {
                    batch = delayed.take(upTo: 500, bytes: 4 << 20)
                } else if !messages.isEmpty {
                    batch = messages.take(upTo: 500, bytes: 4 << 20)
                } else {
                    return ([], delayed.isEmpty ? 0 : delayedUntil - now)
                }
                putsInFlight += 1
                return (batch, 0)
            }

            var isIdle: Bool { messages.isEmpty && delayed.isEmpty && putsInFlight == 0 }
        }

        static let maximumWaiting = 1_000_000
        let queue = Mutex(Queue())
        let ready = DispatchSemaphore(value: 0)
        let counts = Mutex(Counts())

        /// Signals the worker when the queue was empty (otherwise it is still taking batches).
        func add(_ message: MQTTMessage, arrivalMillis: Int64) {
            let (taken, wasEmpty) = queue.withLock { queue -> (Bool, Bool) in
                guard message.acknowledgement != nil || queue.messages.count < Self.maximumWaiting else { return (false, false) }
                queue.messages.append(Arrival(message: message, millis: arrivalMillis))
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

    public init(configuration: Configuration, stream: KinesisStream, clock: any EpochClock, log: @escaping @Sendable (String) -> Void = MQTTIngest.printLine) throws(MQTTClientError) {
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
            onMessage: { inbox.add($0, arrivalMillis: clock.nowMillis()) },
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

    /// A line on standard output, flushed: scripts wait for "MQTT connected" in the log.
    @Sendable public static func printLine(_ line: String) {
        print(line)
        fflush(nil)
    }

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
        while !inbox.queue.withLock({ $0.isIdle }), SystemClock.monotonicNanos() < deadline {
            usleep(1000)
        }
        try? client.stop().wait()
        inbox.queue.withLock { queue in
            queue.messages.removeAll { $0.message.acknowledgement != nil }
            queue.delayed.removeAll { $0.message.acknowledgement != nil }
            queue.stopped = true
        }
        inbox.ready.signal()
        worker.wait()
    }

    /// Puts in flight at once: on a durable stream each waits for an fsync, and puts in
    /// flight together share one (a single put at a time would be one fsync per 500 messages).
    static let putsInFlight = 4

    /// Takes batches off the queue in order and puts up to `putsInFlight` of them at once;
    /// their PUBACKs go out in the order the messages came (MQTT 3.1.1 §4.6), whatever order
    /// the puts finish in (but for messages put again after a refusal: theirs come later).
    private func run() {
        let slots = DispatchSemaphore(value: Self.putsInFlight)
        let sequencer = AcknowledgementSequencer()
        var sequence = 0
        var stoppingRetries = 0
        while true {
            let (batch, dueInNanos, stopped) = inbox.queue.withLock { queue in
                let (batch, due) = queue.nextBatch()
                return (batch, due, queue.stopped)
            }
            if batch.isEmpty, dueInNanos > 0, !stopped || stoppingRetries <= 20 {
                // Only refused messages wait: sleep until they are due (a new message wakes the worker at once).
                _ = inbox.ready.wait(timeout: .now() + .nanoseconds(Int(dueInNanos)))
                if stopped { stoppingRetries += 1 }
                continue
            }
            if batch.isEmpty {
                if stopped {
                    // Every put back (a refused one puts its messages back in the queue), then look again.
                    for _ in 0..<Self.putsInFlight { slots.wait() }
                    for _ in 0..<Self.putsInFlight { slots.signal() }
                    let left = inbox.queue.withLock { $0.messages.count + $0.delayed.count }
                    if left == 0 { return }
                    if stoppingRetries > 20 {
                        note("stopping with \(left) QoS 0 message(s) the stream would not take")
                        return
                    }
                    continue
                }
                inbox.ready.wait()
                continue
            }
            slots.wait()
            let number = sequence
            sequence += 1
            DispatchQueue.global().async { [self] in
                let (acknowledgements, left) = put(batch)
                sequencer.finished(number, acknowledgements)
                inbox.queue.withLock { queue in
                    queue.putsInFlight -= 1
                    if left.isEmpty {
                        queue.retry = 0
                    } else {
                        // What was not accepted is put again after a backoff of 10 ms doubling to 1 s.
                        queue.delayed.putBack(left)
                        queue.retry += 1
                        queue.delayedUntil = SystemClock.monotonicNanos() + Int64(min(1000, 10 << min(queue.retry - 1, 7))) * 1_000_000
                    }
                }
                if !left.isEmpty { inbox.ready.signal() }
                slots.signal()
            }
        }
    }

    /// Puts one batch: the acknowledgements of what the stream accepted, and the rest, in order.
    private func put(_ batch: [Arrival]) -> (acknowledgements: [MQTTAcknowledgement], left: [Arrival]) {
        let entries = batch.map { arrival in
            PutRecordsRequestEntry(
                data: arrival.message.payload,
                partitionKey: Self.partitionKey(arrival.message.payload, rule: configuration.partitionKey, time: String(arrival.millis)))
        }
        let response: PutRecordsResponse
        do {
            response = try stream.putRecords(entries)
        } catch {
            note("the stream refused \(batch.count) MQTT message(s): \(error); not acknowledged, trying again")
            inbox.counts.withLock { $0.retried += batch.count }
            return ([], batch)
        }
        var acknowledgements: [MQTTAcknowledgement] = []
        var left: [Arrival] = []
        for (arrival, result) in zip(batch, response.records) {
            switch result {
            case .accepted:
                if let acknowledgement = arrival.message.acknowledgement { acknowledgements.append(acknowledgement) }
            case .refused:
                left.append(arrival)
            }
        }
        inbox.counts.withLock { counts in
            counts.accepted += batch.count - left.count
            counts.retried += left.count
        }
        return (acknowledgements, left)
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
        if new { Self.printLine("alleycat serve: MQTT ingest: \(problem)") }
    }
}
