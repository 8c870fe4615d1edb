import MQTTWire
import NIOCore

/// Cuts the byte stream into MQTT packets (`MQTTPacketReader`); bytes that can never be a
/// packet close the connection.
struct MQTTPacketDecoder: ByteToMessageDecoder {
    typealias InboundOut = MQTTPacket
    let maxPacketBytes: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let maxPacketBytes = maxPacketBytes
        let read = try buffer.withUnsafeReadableBytes { bytes throws(MQTTWireError) in
            try MQTTPacketReader.read(bytes, maxPacketBytes: maxPacketBytes)
        }
        guard let (packet, consumed) = read else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: consumed)
        context.fireChannelRead(wrapInboundOut(packet))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// One connection's MQTT session on its event loop: CONNECT and CONNACK, the
/// subscriptions, keep-alive pings, and the publishes waiting for their PUBACK. Every
/// member is touched on the channel's event loop only (the client reaches it through
/// `NIOLoopBound`).
final class MQTTConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = MQTTPacket
    typealias OutboundOut = ByteBuffer

    private let configuration: MQTTClient.Configuration
    private let events: MQTTClient.ConnectionEvents
    private var context: ChannelHandlerContext?
    private var connected = false
    private var waitingForPuback: [UInt16: PublishBatch] = [:]
    private var nextPacketId: UInt16 = 0
    private var lastReceived = NIODeadline.uptimeNanoseconds(0)
    private var keepAlive: RepeatedTask?
    private var connackTimeout: Scheduled<Void>?
    /// Why the connection is ending, when this side decided it.
    private var closeReason: String?

    init(configuration: MQTTClient.Configuration, events: MQTTClient.ConnectionEvents) {
        self.configuration = configuration
        self.events = events
    }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        lastReceived = context.eventLoop.now
        var connect = MQTTConnect(
            clientId: configuration.clientId, cleanSession: configuration.cleanSession,
            keepAliveSeconds: configuration.keepAliveSeconds, username: configuration.url.username,
            password: configuration.url.password.map { Array($0.utf8) })
        if connect.username == nil { connect.password = nil }
        write(.connect(connect), flush: true)
        let limit = configuration.connectTimeoutMillis
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        connackTimeout = context.eventLoop.scheduleTask(in: .milliseconds(limit)) {
            handler.value.close(because: "the broker at \(handler.value.configuration.url) did not answer CONNECT within \(limit) ms")
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastReceived = context.eventLoop.now
        switch unwrapInboundIn(data) {
        case let .connack(sessionPresent, returnCode):
            connackTimeout?.cancel()
            guard !connected else { return close(because: "the broker at \(configuration.url) sent a second CONNACK") }
            guard returnCode == .accepted else {
                events.refused(MQTTClientError.refused(broker: "\(configuration.url)", returnCode))
                return close(because: MQTTClientError.refused(broker: "\(configuration.url)", returnCode).description)
            }
            connected = true
            if !configuration.subscriptions.isEmpty {
                write(.subscribe(packetId: takePacketId(), subscriptions: configuration.subscriptions), flush: true)
            }
            startKeepAlive(context: context)
            events.connected(context.channel, NIOLoopBound(self, eventLoop: context.eventLoop), sessionPresent)
        case let .publish(publish):
            switch publish.qos {
            case .atMostOnce:
                events.message(MQTTMessage(topic: publish.topic, payload: publish.payload, qos: .atMostOnce, duplicate: publish.duplicate, acknowledgement: nil))
            case .atLeastOnce:
                let acknowledgement = publish.packetId.map { MQTTAcknowledgement(channel: context.channel, packetId: $0) }
                events.message(MQTTMessage(topic: publish.topic, payload: publish.payload, qos: .atLeastOnce, duplicate: publish.duplicate, acknowledgement: acknowledgement))
            case .exactlyOnce:
                // The client subscribes at QoS 1 at most, so a broker never sends QoS 2.
                close(because: "the broker at \(configuration.url) sent a QoS 2 message on a subscription of QoS 1 at most")
            }
        case let .puback(packetId):
            waitingForPuback.removeValue(forKey: packetId)?.acknowledged()
        case let .suback(_, returnCodes):
            events.subscribed(returnCodes)
        case .pingresp:
            break
        case let other:
            close(because: "the broker at \(configuration.url) sent \(other.type), which a client never receives in MQTT 3.1.1")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepAlive?.cancel()
        connackTimeout?.cancel()
        let reason = closeReason ?? "the broker at \(configuration.url) closed the connection"
        let pending = waitingForPuback
        waitingForPuback = [:]
        for batch in pending.values { batch.fail(MQTTClientError.connectionLost("\(reason) before it acknowledged the publish")) }
        self.context = nil
        events.ended(reason)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let text = (error as? MQTTWireError).map { "the broker at \(configuration.url) sent a malformed packet: \($0)" }
            ?? "the connection to \(configuration.url) failed: \(error)"
        close(because: text)
    }

    /// Writes the publishes in order with one flush; the promise completes once each is
    /// written (QoS 0) or acknowledged by the broker (QoS 1).
    func publish(_ messages: [(topic: String, payload: [UInt8])], qos: MQTTQoS, retain: Bool, promise: EventLoopPromise<Void>) {
        guard let context, connected else {
            return promise.fail(MQTTClientError.notConnected("not connected to the broker at \(configuration.url)"))
        }
        if qos == .atMostOnce {
            guard !messages.isEmpty else { return promise.succeed() }
            for (index, message) in messages.enumerated() {
                let last = index == messages.count - 1
                write(.publish(MQTTPublish(topic: message.topic, payload: message.payload, retain: retain)), flush: last, promise: last ? promise : nil)
            }
            return
        }
        guard waitingForPuback.count + messages.count < Int(UInt16.max) else {
            return promise.fail(MQTTClientError.notConnected("\(waitingForPuback.count) publishes to \(configuration.url) are still waiting for their PUBACK"))
        }
        guard !messages.isEmpty else { return promise.succeed() }
        // One promise for the call, completed by its last PUBACK (or failed with the connection).
        let batch = PublishBatch(waiting: messages.count, promise: promise)
        for message in messages {
            let packetId = takePacketId()
            waitingForPuback[packetId] = batch
            write(.publish(MQTTPublish(topic: message.topic, payload: message.payload, qos: qos, retain: retain, packetId: packetId)), flush: false)
        }
        context.flush()
    }

    /// DISCONNECT, then close (a clean end: the broker discards the will).
    func disconnect() {
        guard context != nil else { return }
        closeReason = "the client disconnected"
        write(.disconnect, flush: true)
        context?.close(promise: nil)
    }

    private func startKeepAlive(context: ChannelHandlerContext) {
        guard configuration.keepAliveSeconds > 0 else { return }
        let seconds = Int64(configuration.keepAliveSeconds)
        // A ping every half keep-alive; no packet at all from the broker for 1.5 keep-alives
        // means the connection is gone (the broker itself closes after 1.5, §3.1.2.10).
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        keepAlive = loop.scheduleRepeatedTask(initialDelay: .milliseconds(seconds * 500), delay: .milliseconds(seconds * 500)) { _ in
            handler.value.ping(now: loop.now, keepAliveSeconds: seconds)
        }
    }

    private func ping(now: NIODeadline, keepAliveSeconds seconds: Int64) {
        if now - lastReceived >= .milliseconds(seconds * 1500) {
            close(because: "no packet from the broker at \(configuration.url) for \(seconds * 3 / 2) s (keep-alive \(seconds) s)")
        } else {
            write(.pingreq, flush: true)
        }
    }

    private func takePacketId() -> UInt16 {
        repeat {
            nextPacketId = nextPacketId == .max ? 1 : nextPacketId + 1
        } while waitingForPuback[nextPacketId] != nil
        return nextPacketId
    }

    private func write(_ packet: MQTTPacket, flush: Bool, promise: EventLoopPromise<Void>? = nil) {
        guard let context else {
            promise?.fail(MQTTClientError.notConnected("not connected to the broker at \(configuration.url)"))
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeBytes(packet.bytes)
        if flush { context.writeAndFlush(wrapOutboundOut(buffer), promise: promise) } else { context.write(wrapOutboundOut(buffer), promise: promise) }
    }

    private func close(because reason: String) {
        if closeReason == nil { closeReason = reason }
        context?.close(promise: nil)
    }
}

/// The QoS 1 publishes of one call: its promise completes with the last PUBACK, or fails
/// once if the connection ends first. Touched on the connection's event loop only.
final class PublishBatch {
    private var waiting: Int
    private var promise: EventLoopPromise<Void>?

    init(waiting: Int, promise: EventLoopPromise<Void>) {
        self.waiting = waiting
        self.promise = promise
    }

    func acknowledged() {
        waiting -= 1
        if waiting == 0 {
            promise?.succeed()
            promise = nil
        }
    }

    func fail(_ error: MQTTClientError) {
        promise?.fail(error)
        promise = nil
    }
}
