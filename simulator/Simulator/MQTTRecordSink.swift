import Foundation
import KinesisStream
import MQTT
import MQTTWire
import NIOCore
import RaceModel

/// Puts a load run's messages on an MQTT broker (`alleycat-sim --mqtt`), as bikes of the
/// original did through AWS IoT Core: each message a PUBLISH on the topic, from a pool of
/// client connections (one per bike when the pool is as large as the field). A rider's
/// messages always go through the same connection, so they stay in order. At QoS 1 a
/// message counts as taken once the broker acknowledged it; at QoS 0 once it is written.
public final class MQTTRecordSink: RecordSink {
    public let url: MQTTURL
    public let topic: String
    public let qos: MQTTQoS
    public let clients: [MQTTClient]
    /// Told of each message as it is published, to time the results that include it.
    public let watch: MQTTResultsWatch?

    /// `clientIdPrefix` names the connections PREFIX-1, PREFIX-2, …
    public init(
        url: MQTTURL, topic: String, qos: MQTTQoS, connections: Int, clientIdPrefix: String, trustRootsFile: String? = nil,
        watch: MQTTResultsWatch? = nil
    ) throws(MQTTClientError) {
        precondition(connections >= 1, "an MQTT sink needs at least one connection")
        self.url = url
        self.topic = topic
        self.qos = qos
        self.watch = watch
        var clients: [MQTTClient] = []
        for index in 1...connections {
            var configuration = MQTTClient.Configuration(url: url, clientId: "\(clientIdPrefix)-\(index)")
            configuration.trustRootsFile = trustRootsFile
            clients.append(try MQTTClient(configuration: configuration))
        }
        self.clients = clients
    }

    deinit {
        for client in clients { client.stop() }
    }

    /// Connects every client; throws the first failure (a broker not running, a refused login).
    public func connect(timeoutMillis: Int64 = 10_000) throws {
        for client in clients { client.start() }
        for client in clients { try client.connected(timeoutMillis: timeoutMillis).wait() }
    }

    /// Disconnects every client (DISCONNECT, so the broker discards no will and drops the session).
    public func close() {
        for future in clients.map({ $0.stop() }) { try? future.wait() }
    }

    public func put(_ entries: [PutRecordsRequestEntry]) throws -> [RecordPut] {
        // Each rider on one connection (by racer id; the partition key for what does not parse).
        var groups: [Int: [Int]] = [:]
        let now = SystemClock.realtimeMillis()
        for (position, entry) in entries.enumerated() {
            let message = try? RecordParser.parse(entry.data)
            if let message { watch?.published(message, atMillis: now) }
            let rider = message?.racerId ?? entry.partitionKey.utf8.reduce(0) { $0 &* 31 &+ Int($1) }
            groups[Int(UInt(bitPattern: rider) % UInt(clients.count)), default: []].append(position)
        }
        let sent = groups.map { client, positions in
            (positions, clients[client].publish(positions.map { (topic, entries[$0].data) }, qos: qos))
        }
        // One wait for the whole call (a wait per connection costs a thread wake-up each).
        let outcomes = try EventLoopFuture.whenAllComplete(sent.map(\.1), on: sent[0].1.eventLoop).wait()
        var results = [RecordPut](repeating: .refused, count: entries.count)
        var failures: [String] = []
        for ((positions, _), outcome) in zip(sent, outcomes) {
            switch outcome {
            case .success:
                for position in positions { results[position] = .accepted(shardIndex: nil) }
            case let .failure(error):
                failures.append("\(error)")
            }
        }
        // Nothing taken at all: the whole call is tried again after a backoff.
        if failures.count == sent.count, let first = failures.first { throw SinkUnavailable(description: first) }
        return results
    }
}
