import MQTTWire
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@testable import MQTT

/// The connection handler on an embedded channel: what it writes, and its timers in the
/// embedded loop's virtual time.
@Suite struct MQTTConnectionHandlerTests {
    final class Recorder: Sendable {
        let events = NIOLockedValueBox<[String]>([])
        func add(_ event: String) { events.withLockedValue { $0.append(event) } }
        var all: [String] { events.withLockedValue { $0 } }
    }

    static func channel(keepAlive: UInt16 = 10, subscriptions: [MQTTSubscription] = [], recorder: Recorder) throws -> EmbeddedChannel {
        var configuration = MQTTClient.Configuration(url: MQTTURL(host: "broker.test", port: 1883, username: "bike", password: "secret"), clientId: "alleycat-ingest")
        configuration.keepAliveSeconds = keepAlive
        configuration.cleanSession = false
        configuration.subscriptions = subscriptions
        configuration.connectTimeoutMillis = 3000
        let events = MQTTClient.ConnectionEvents(
            connected: { _, _, sessionPresent in recorder.add("connected sessionPresent=\(sessionPresent)") },
            subscribed: { recorder.add("subscribed \($0)") },
            message: { recorder.add("message \($0.topic) \(String(decoding: $0.payload, as: UTF8.self)) qos=\($0.qos.rawValue) ack=\($0.acknowledgement?.packetId.description ?? "none")") },
            refused: { recorder.add("refused \($0)") },
            ended: { recorder.add("ended \($0)") })
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MQTTPacketDecoder(maxPacketBytes: 1 << 20)))
        try channel.pipeline.syncOperations.addHandler(MQTTConnectionHandler(configuration: configuration, events: events))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1883)).wait()
        return channel
    }

    static func written(_ channel: EmbeddedChannel) throws -> [MQTTPacket] {
        var packets: [MQTTPacket] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            var bytes = Array(buffer.readableBytesView)
            while !bytes.isEmpty, let (packet, consumed) = try MQTTPacketReader.read(bytes) {
                packets.append(packet)
                bytes.removeFirst(consumed)
            }
        }
        return packets
    }

    static func feed(_ channel: EmbeddedChannel, _ packet: MQTTPacket) throws {
        try channel.writeInbound(ByteBuffer(bytes: packet.bytes))
    }

    @Test func connectsSubscribesAfterConnackAndAcknowledgesOnlyWhenAsked() throws {
        let recorder = Recorder()
        let channel = try Self.channel(subscriptions: [MQTTSubscription(filter: "alleycat-publish", qos: .atLeastOnce)], recorder: recorder)
        #expect(try Self.written(channel) == [
            .connect(MQTTConnect(clientId: "alleycat-ingest", cleanSession: false, keepAliveSeconds: 10, username: "bike", password: Array("secret".utf8))),
        ])
        try Self.feed(channel, .connack(sessionPresent: true, returnCode: .accepted))
        #expect(try Self.written(channel) == [.subscribe(packetId: 1, subscriptions: [MQTTSubscription(filter: "alleycat-publish", qos: .atLeastOnce)])])
        try Self.feed(channel, .suback(packetId: 1, returnCodes: [1]))
        try Self.feed(channel, .publish(MQTTPublish(topic: "alleycat-publish", payload: Array("{}".utf8), qos: .atLeastOnce, packetId: 77)))
        try Self.feed(channel, .publish(MQTTPublish(topic: "alleycat-publish", payload: Array("x".utf8))))
        #expect(recorder.all == [
            "connected sessionPresent=true", "subscribed [1]", "message alleycat-publish {} qos=1 ack=77", "message alleycat-publish x qos=0 ack=none",
        ])
        // Nothing is acknowledged until the owner of the message says so.
        #expect(try Self.written(channel) == [])
        MQTTAcknowledgement.send([MQTTAcknowledgement(channel: channel, packetId: 77)])
        #expect(try Self.written(channel) == [.puback(packetId: 77)])
    }

    @Test func pingsEveryHalfKeepAliveAndClosesWhenTheBrokerIsSilent() throws {
        let recorder = Recorder()
        let channel = try Self.channel(keepAlive: 10, recorder: recorder)
        _ = try Self.written(channel)
        try Self.feed(channel, .connack(sessionPresent: false, returnCode: .accepted))
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(try Self.written(channel) == [.pingreq])
        try Self.feed(channel, .pingresp)
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(try Self.written(channel) == [.pingreq])
        // No answer to that ping: after 15 s of silence the connection is given up.
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(try Self.written(channel) == [.pingreq])
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(!channel.isActive)
        #expect(recorder.all.last == "ended no packet from the broker at mqtt://bike@broker.test:1883 for 15 s (keep-alive 10 s)")
    }

    @Test func givesUpWhenNoConnackComes() throws {
        let recorder = Recorder()
        let channel = try Self.channel(recorder: recorder)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(2999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        #expect(recorder.all == ["ended the broker at mqtt://bike@broker.test:1883 did not answer CONNECT within 3000 ms"])
    }

    @Test func aRefusedConnackIsReportedWithItsReason() throws {
        let recorder = Recorder()
        let channel = try Self.channel(recorder: recorder)
        try Self.feed(channel, .connack(sessionPresent: false, returnCode: .badUsernameOrPassword))
        #expect(!channel.isActive)
        let reason = "the broker at mqtt://bike@broker.test:1883 refused the connection: connection refused (4, bad user name or password): check the credentials"
        #expect(recorder.all == ["refused \(reason)", "ended \(reason)"])
    }

    @Test func publishesAtQoS1CompleteOnTheirPubackAndFailWhenTheConnectionDrops() throws {
        let recorder = Recorder()
        let channel = try Self.channel(recorder: recorder)
        _ = try Self.written(channel)
        try Self.feed(channel, .connack(sessionPresent: false, returnCode: .accepted))
        let handler = try channel.pipeline.syncOperations.handler(type: MQTTConnectionHandler.self)
        let first = channel.eventLoop.makePromise(of: Void.self)
        handler.publish([("a", [1]), ("b", [2])], qos: .atLeastOnce, retain: false, promise: first)
        let second = channel.eventLoop.makePromise(of: Void.self)
        handler.publish([("c", [3])], qos: .atLeastOnce, retain: false, promise: second)
        #expect(try Self.written(channel) == [
            .publish(MQTTPublish(topic: "a", payload: [1], qos: .atLeastOnce, packetId: 1)),
            .publish(MQTTPublish(topic: "b", payload: [2], qos: .atLeastOnce, packetId: 2)),
            .publish(MQTTPublish(topic: "c", payload: [3], qos: .atLeastOnce, packetId: 3)),
        ])
        let firstDone = NIOLockedValueBox(false)
        first.futureResult.whenSuccess { firstDone.withLockedValue { $0 = true } }
        try Self.feed(channel, .puback(packetId: 2))
        #expect(!firstDone.withLockedValue { $0 })
        try Self.feed(channel, .puback(packetId: 1))
        #expect(firstDone.withLockedValue { $0 })
        let secondError = NIOLockedValueBox<(any Error)?>(nil)
        second.futureResult.whenFailure { error in secondError.withLockedValue { $0 = error } }
        try channel.close().wait()
        #expect(secondError.withLockedValue { $0 } as? MQTTClientError == .connectionLost("the broker at mqtt://bike@broker.test:1883 closed the connection before it acknowledged the publish"))
    }

    @Test func aMalformedPacketFromTheBrokerClosesTheConnectionWithItsReason() throws {
        let recorder = Recorder()
        let channel = try Self.channel(recorder: recorder)
        _ = try Self.written(channel)
        // A PUBLISH of QoS 3.
        _ = try? channel.writeInbound(ByteBuffer(bytes: [0x36, 0x00]))
        #expect(!channel.isActive)
        #expect(recorder.all.count == 1)
        #expect(recorder.all[0].hasPrefix("ended the broker at mqtt://bike@broker.test:1883 sent a malformed packet: "))
    }
}
