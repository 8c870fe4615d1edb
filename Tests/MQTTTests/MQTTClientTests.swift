import AlleycatTesting
import Foundation
import MQTTWire
import NIOConcurrencyHelpers
import Testing

@testable import MQTT

/// The client against a real Mosquitto (`AlleycatTesting.Mosquitto`), with mosquitto_pub
/// and mosquitto_sub as independent clients.
@Suite(.serialized) struct MQTTClientTests {
    /// What a subscriber received, waited for with a deadline (the broker is a real process).
    final class Inbox: Sendable {
        let messages = NIOLockedValueBox<[MQTTMessage]>([])
        let events = NIOLockedValueBox<[MQTTClientEvent]>([])

        func waitFor(_ count: Int, seconds: Double = 10) throws -> [MQTTMessage] {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let now = messages.withLockedValue { $0 }
                if now.count >= count { return now }
                usleep(5000)
            }
            throw MotoServer.Unavailable(description: "\(messages.withLockedValue { $0.count }) of \(count) messages after \(seconds) s")
        }

        func waitForEvent(seconds: Double = 10, _ match: (MQTTClientEvent) -> Bool) throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if events.withLockedValue({ $0.contains(where: match) }) { return }
                usleep(5000)
            }
            throw MotoServer.Unavailable(description: "no such event after \(seconds) s: \(events.withLockedValue { $0 })")
        }
    }

    static func client(_ broker: Mosquitto, id: String, clean: Bool = true, subscribe: [String] = [], inbox: Inbox? = nil) throws -> MQTTClient {
        var configuration = MQTTClient.Configuration(url: try MQTTURL(broker.url), clientId: id)
        configuration.cleanSession = clean
        configuration.subscriptions = subscribe.map { MQTTSubscription(filter: $0, qos: .atLeastOnce) }
        configuration.reconnectBaseMillis = 20
        configuration.reconnectMaxMillis = 200
        let client = try MQTTClient(
            configuration: configuration, onMessage: { message in inbox?.messages.withLockedValue { $0.append(message) } },
            onEvent: { event in inbox?.events.withLockedValue { $0.append(event) } })
        client.start()
        try client.connected(timeoutMillis: 10_000).wait()
        if !subscribe.isEmpty { try broker.waitForLog("\(id) 1 \(subscribe[0])") }
        return client
    }

    @Test func messagesFromMosquittoPubArriveInOrderAndOurPublishesReachMosquittoSub() throws {
        let broker = try Mosquitto()
        let inbox = Inbox()
        let subscriber = try Self.client(broker, id: "reader", subscribe: ["bikes/#"], inbox: inbox)
        try broker.run("mosquitto_pub", ["-q", "1", "-t", "bikes/7", "-l"], input: Data("one\ntwo\nthree\n".utf8))
        let received = try inbox.waitFor(3)
        #expect(received.map { String(decoding: $0.payload, as: UTF8.self) } == ["one", "two", "three"])
        #expect(received.map(\.topic) == ["bikes/7", "bikes/7", "bikes/7"])
        #expect(received.map(\.qos) == [.atLeastOnce, .atLeastOnce, .atLeastOnce])
        MQTTAcknowledgement.send(received.compactMap(\.acknowledgement))

        // The other way: mosquitto_sub takes two messages, one at each QoS.
        let output = NIOLockedValueBox("")
        let done = DispatchSemaphore(value: 0)
        let port = broker.port
        Thread {
            output.withLockedValue { $0 = (try? Mosquitto.run("mosquitto_sub", port: port, ["-i", "watcher", "-t", "results/#", "-q", "1", "-C", "2", "-v", "-W", "20"])) ?? "failed" }
            done.signal()
        }.start()
        try broker.waitForLog("watcher 1 results/#")
        try subscriber.publish([("results/class/1", Array("{\"a\":1}".utf8))], qos: .atMostOnce).wait()
        try subscriber.publish([("results/class/2", Array("{\"b\":2}".utf8))], qos: .atLeastOnce).wait()
        done.wait()
        #expect(output.withLockedValue { $0 } == "results/class/1 {\"a\":1}\nresults/class/2 {\"b\":2}\n")
        try subscriber.stop().wait()
        broker.stop()
    }

    @Test func aPersistentSessionGetsWhatItDidNotAcknowledgeAgainAndWhatCameWhileAway() throws {
        let broker = try Mosquitto()
        let first = Inbox()
        let keeper = try Self.client(broker, id: "keeper", clean: false, subscribe: ["bikes"], inbox: first)
        try broker.run("mosquitto_pub", ["-q", "1", "-t", "bikes", "-l"], input: Data("a\nb\n".utf8))
        let received = try first.waitFor(2)
        // Only "a" is acknowledged before the session ends.
        MQTTAcknowledgement.send([received[0].acknowledgement!])
        try broker.waitForLog("Received PUBACK from keeper (Mid: \(received[0].acknowledgement!.packetId)")
        try keeper.stop().wait()
        try broker.run("mosquitto_pub", ["-q", "1", "-t", "bikes", "-m", "c"])

        let second = Inbox()
        let again = try Self.client(broker, id: "keeper", clean: false, inbox: second)
        let redelivered = try second.waitFor(2)
        #expect(redelivered.map { String(decoding: $0.payload, as: UTF8.self) } == ["b", "c"])
        #expect(redelivered.map(\.duplicate) == [true, false])
        #expect(second.events.withLockedValue { $0.first } == .connected(sessionPresent: true))
        try again.stop().wait()
        broker.stop()
    }

    @Test func reconnectsAndSubscribesAgainWhenTheBrokerComesBack() throws {
        let broker = try Mosquitto()
        let inbox = Inbox()
        let client = try Self.client(broker, id: "survivor", subscribe: ["bikes"], inbox: inbox)
        try broker.restart()
        try inbox.waitForEvent { if case .disconnected(_, .some) = $0 { true } else { false } }
        try broker.waitForLog("survivor 1 bikes", times: 2)
        try broker.run("mosquitto_pub", ["-q", "1", "-t", "bikes", "-m", "after"])
        #expect(try inbox.waitFor(1).map { String(decoding: $0.payload, as: UTF8.self) } == ["after"])
        #expect(inbox.events.withLockedValue { $0.filter { if case .connected = $0 { true } else { false } }.count } == 2)
        try client.stop().wait()
        broker.stop()
    }

    @Test func aRefusedLoginSaysWhy() throws {
        let broker = try Mosquitto(allowAnonymous: false)
        var configuration = MQTTClient.Configuration(url: try MQTTURL(broker.url), clientId: "stranger")
        configuration.reconnectBaseMillis = 5000
        let client = try MQTTClient(configuration: configuration)
        client.start()
        try broker.waitForLog("Sending CONNACK to 127.0.0.1 (0, 5)")
        usleep(100_000)
        #expect(throws: MQTTClientError.timedOut(
            "no connection to the broker at \(broker.url) within 300 ms: the broker at \(broker.url) refused the connection: connection refused (5, not authorized): the server does not let this client connect; check its permissions"
        )) { try client.connected(timeoutMillis: 300).wait() }
        try client.stop().wait()
        broker.stop()
    }

    @Test func tlsWithAUserAndPasswordAndTheAuthorityToTrust() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mqtt-tls-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificates = try Mosquitto.makeCertificates(in: folder)
        let broker = try Mosquitto(allowAnonymous: false, users: ["bike": "s3cret"], tls: certificates.broker)
        let url = "mqtts://bike:s3cret@127.0.0.1:\(broker.port)"

        var configuration = MQTTClient.Configuration(url: try MQTTURL(url), clientId: "secure-bike")
        configuration.trustRootsFile = certificates.authority
        configuration.subscriptions = [MQTTSubscription(filter: "bikes", qos: .atLeastOnce)]
        let inbox = Inbox()
        let client = try MQTTClient(configuration: configuration, onMessage: { message in inbox.messages.withLockedValue { $0.append(message) } })
        client.start()
        try client.connected(timeoutMillis: 10_000).wait()
        try broker.waitForLog("secure-bike 1 bikes")
        try client.publish([("bikes", Array("over tls".utf8))], qos: .atLeastOnce).wait()
        #expect(try inbox.waitFor(1).map { String(decoding: $0.payload, as: UTF8.self) } == ["over tls"])
        try client.stop().wait()

        // The wrong password: the broker's CONNACK says so.
        var wrong = MQTTClient.Configuration(url: try MQTTURL("mqtts://bike:guess@127.0.0.1:\(broker.port)"), clientId: "guesser")
        wrong.trustRootsFile = certificates.authority
        wrong.reconnectBaseMillis = 5000
        let guesser = try MQTTClient(configuration: wrong)
        guesser.start()
        try broker.waitForLog("Sending CONNACK to 127.0.0.1 (0, 5)")
        usleep(100_000)
        #expect(throws: MQTTClientError.timedOut(
            "no connection to the broker at mqtts://bike@127.0.0.1:\(broker.port) within 100 ms: the broker at mqtts://bike@127.0.0.1:\(broker.port) refused the connection: connection refused (5, not authorized): the server does not let this client connect; check its permissions"
        )) { try guesser.connected(timeoutMillis: 100).wait() }
        try guesser.stop().wait()

        // Without the authority, the broker's certificate is not trusted.
        var untrusting = MQTTClient.Configuration(url: try MQTTURL(url), clientId: "untrusting")
        untrusting.reconnectBaseMillis = 5000
        let events = Inbox()
        let doubter = try MQTTClient(configuration: untrusting, onEvent: { event in events.events.withLockedValue { $0.append(event) } })
        doubter.start()
        try events.waitForEvent { if case let .disconnected(reason, _) = $0 { reason.hasPrefix("the connection to mqtts://bike@127.0.0.1:\(broker.port) failed: handshakeFailed") } else { false } }
        #expect(!doubter.isConnected)
        try doubter.stop().wait()
        broker.stop()
    }

    @Test func brokerURLs() throws {
        #expect(try MQTTURL("mqtt://127.0.0.1:1884") == MQTTURL(host: "127.0.0.1", port: 1884))
        #expect(try MQTTURL("mqtts://bike:s%40cret@broker.example") == MQTTURL(host: "broker.example", port: 8883, tls: true, username: "bike", password: "s@cret"))
        #expect("\(try MQTTURL("mqtts://bike:secret@broker.example:8884"))" == "mqtts://bike@broker.example:8884")
        #expect(throws: MQTTClientError.badURL("'http://broker:1883' has the scheme 'http': a broker URL starts with mqtt:// or mqtts:// (TLS)")) {
            try MQTTURL("http://broker:1883")
        }
        #expect(throws: MQTTClientError.badURL("'mqtt://broker:1883/topic' has the path '/topic': a broker URL has none (topics are options of their own)")) {
            try MQTTURL("mqtt://broker:1883/topic")
        }
        #expect(throws: MQTTClientError.badURL("'broker:1883' is not a broker URL: write mqtt://HOST:PORT (or mqtts:// for TLS, with USER:PASSWORD@ before the host if the broker asks)")) {
            try MQTTURL("broker:1883")
        }
    }
}
