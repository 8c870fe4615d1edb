import Histogram
import KinesisWire
import MQTT
import MQTTWire
import RaceModel
import Synchronization

/// Times results on the broker (`alleycat-sim --mqtt`): subscribed to the results topic,
/// it takes each envelope's class, race, second and `reported` count (riders the ranking
/// has heard from at that second), and times that many of the second's messages, in the
/// order they were published, from their publish to the first envelope that counts them
/// arriving: from a bike's publish to the ranking that includes it reaching a subscriber.
/// (Which riders an update includes is the order they reached the service in, close to
/// the order they were published in.)
public final class MQTTResultsWatch: Sendable {
    public struct Figures: Sendable, Equatable {
        /// Envelopes received.
        public var envelopes = 0
        /// Published messages timed by an envelope.
        public var timed = 0
        /// Published messages no envelope of their second came for.
        public var untimed = 0
        public var p50Millis: UInt64 = 0
        public var p99Millis: UInt64 = 0
        public var maxMillis: UInt64 = 0
    }

    private struct Second: Hashable {
        let classId: Int
        let raceId: Int64
        let second: Int
    }

    /// A second's publish times not timed yet, in order, and how many were timed before them.
    private struct Waiting {
        var published: [Int64] = []
        var timed = 0
    }

    private struct State {
        var waiting: [Second: Waiting] = [:]
        var envelopes = 0
        var latency = Histogram<UInt64>(highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: .three)
    }

    /// Shared with the client's message handler.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    public let client: MQTTClient
    private let shared = Shared()

    public init(url: MQTTURL, topic: String, clientId: String, trustRootsFile: String? = nil) throws(MQTTClientError) {
        var configuration = MQTTClient.Configuration(url: url, clientId: clientId)
        configuration.subscriptions = [MQTTSubscription(filter: topic, qos: .atMostOnce)]
        configuration.trustRootsFile = trustRootsFile
        configuration.maxPacketBytes = 16 << 20
        let shared = shared
        client = try MQTTClient(configuration: configuration, onMessage: { message in
            let arrived = SystemClock.realtimeMillis()
            guard let (second, reported) = Self.second(of: message.payload) else { return }
            shared.state.withLock { state in
                state.envelopes += 1
                guard var waiting = state.waiting[second], reported > waiting.timed else { return }
                let count = min(reported - waiting.timed, waiting.published.count)
                for published in waiting.published.prefix(count) { state.latency.record(UInt64(max(0, arrived - published))) }
                waiting.published.removeFirst(count)
                waiting.timed += count
                state.waiting[second] = waiting
            }
        })
    }

    func published(_ message: RaceMessage, atMillis millis: Int64) {
        let key = Second(classId: message.classId, raceId: message.raceId, second: message.second)
        shared.state.withLock { $0.waiting[key, default: Waiting()].published.append(millis) }
    }

    public var figures: Figures {
        shared.state.withLock { state in
            Figures(
                envelopes: state.envelopes, timed: Int(state.latency.totalCount),
                untimed: state.waiting.values.reduce(0) { $0 + $1.published.count },
                p50Millis: state.latency.valueAtPercentile(50), p99Millis: state.latency.valueAtPercentile(99), maxMillis: state.latency.max)
        }
    }

    /// The class, race, second and reported count of a results envelope (nil for anything else).
    private static func second(of payload: [UInt8]) -> (Second, reported: Int)? {
        var classId: Int?
        var raceId: Int64?
        var second: Int?
        var reported: Int?
        var reader = JSONReader(payload)
        do {
            try reader.readObject { reader, member in
                switch member {
                case "classId": classId = Int(try reader.readInteger(field: member))
                case "raceId": raceId = try reader.readInteger(field: member)
                case "second": second = Int(try reader.readInteger(field: member))
                case "reported": reported = Int(try reader.readInteger(field: member))
                default: try reader.skipValue()
                }
            }
        } catch {
            return nil
        }
        guard let classId, let raceId, let second, let reported else { return nil }
        return (Second(classId: classId, raceId: raceId, second: second), reported)
    }
}
