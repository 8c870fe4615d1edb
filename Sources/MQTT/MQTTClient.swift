import Foundation
import MQTTWire
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// An MQTT 3.1.1 client on SwiftNIO: one connection to a broker, kept up. It reconnects
/// with backoff when the connection drops and subscribes again on every new connection;
/// with `cleanSession` off the broker keeps the session between connections and delivers
/// the QoS 1 messages that were not acknowledged.
public final class MQTTClient: Sendable {
    public struct Configuration: Sendable {
        public var url: MQTTURL
        /// The session's name at the broker: keep it the same across restarts for a persistent session.
        public var clientId: String
        public var cleanSession = true
        public var keepAliveSeconds: UInt16 = 30
        /// Subscribed after every CONNACK.
        public var subscriptions: [MQTTSubscription] = []
        /// Reconnect delays double from the base to the maximum (with jitter), and start again after a CONNACK.
        public var reconnectBaseMillis: Int64 = 100
        public var reconnectMaxMillis: Int64 = 10_000
        public var connectTimeoutMillis: Int64 = 5000
        /// With `mqtts://`: a PEM file of the certificates to trust (default: the system's).
        public var trustRootsFile: String?
        public var maxPacketBytes = 1 << 20
        /// Past this many bytes waiting to be written, `publishIfWritable` drops.
        public var writeBufferBytes = 1 << 20

        public init(url: MQTTURL, clientId: String) {
            self.url = url
            self.clientId = clientId
        }
    }

    /// What a connection's handler tells the client, on the connection's event loop.
    struct ConnectionEvents: Sendable {
        let connected: @Sendable (any Channel, NIOLoopBound<MQTTConnectionHandler>, Bool) -> Void
        let subscribed: @Sendable ([UInt8]) -> Void
        let message: @Sendable (MQTTMessage) -> Void
        let refused: @Sendable (MQTTClientError) -> Void
        let ended: @Sendable (String) -> Void
    }

    private struct State {
        var channel: (any Channel)?
        var handler: NIOLoopBound<MQTTConnectionHandler>?
        var stopped = false
        var started = false
        var failedAttempts = 0
        var lastError = "not connected yet"
        var waiters: [EventLoopPromise<Void>] = []
        var jitter = SystemRandomNumberGenerator()
    }

    public let configuration: Configuration
    private let group: any EventLoopGroup
    private let state = Mutex(State())
    private let onMessage: @Sendable (MQTTMessage) -> Void
    private let onEvent: @Sendable (MQTTClientEvent) -> Void
    private let sslContext: NIOSSLContext?
    private let closed: EventLoopPromise<Void>

    /// `onMessage` runs on the connection's event loop for every message of a subscription:
    /// keep it short (hand the message on). `onEvent` reports connections and subscriptions.
    public init(
        configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onMessage: @escaping @Sendable (MQTTMessage) -> Void = { _ in }, onEvent: @escaping @Sendable (MQTTClientEvent) -> Void = { _ in }
    ) throws(MQTTClientError) {
        self.configuration = configuration
        self.group = group
        self.onMessage = onMessage
        self.onEvent = onEvent
        closed = group.next().makePromise()
        if configuration.url.tls {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let file = configuration.trustRootsFile { tls.trustRoots = .file(file) }
            if Self.isIPAddress(configuration.url.host) { tls.certificateVerification = .noHostnameVerification }
            do {
                sslContext = try NIOSSLContext(configuration: tls)
            } catch {
                throw .tls("TLS for \(configuration.url) could not be set up\(configuration.trustRootsFile.map { " with the certificates in \($0)" } ?? ""): \(error)")
            }
        } else {
            sslContext = nil
        }
    }

    /// Starts connecting; the client keeps a connection up until `stop()`.
    public func start() {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started && !state.stopped
        }
        if first { connect() }
    }

    public var isConnected: Bool { state.withLock { $0.handler != nil } }

    /// Completes when the client is connected (at once if it is), or fails after `timeoutMillis`
    /// with the last reason a connection failed.
    public func connected(timeoutMillis: Int64) -> EventLoopFuture<Void> {
        let loop = group.next()
        let promise = loop.makePromise(of: Void.self)
        let ready = state.withLock { state -> Bool in
            if state.handler != nil { return true }
            state.waiters.append(promise)
            return false
        }
        if ready {
            promise.succeed()
        } else {
            let url = configuration.url
            loop.scheduleTask(in: .milliseconds(timeoutMillis)) { [self] in
                // Failed only if no connection took it out of the waiters first (a promise completes once).
                let reason = state.withLock { state -> String? in
                    guard let index = state.waiters.firstIndex(where: { $0.futureResult === promise.futureResult }) else { return nil }
                    state.waiters.remove(at: index)
                    return state.lastError
                }
                if let reason {
                    promise.fail(MQTTClientError.timedOut("no connection to the broker at \(url) within \(timeoutMillis) ms: \(reason)"))
                }
            }
        }
        return promise.futureResult
    }

    /// Publishes in order on the current connection. The future completes once every message
    /// is written (QoS 0) or acknowledged by the broker (QoS 1); it fails with `.notConnected`
    /// or `.connectionLost`, and then the caller decides whether to send again.
    public func publish(_ messages: [(topic: String, payload: [UInt8])], qos: MQTTQoS = .atMostOnce, retain: Bool = false) -> EventLoopFuture<Void> {
        guard let (channel, handler) = state.withLock({ state in state.channel.flatMap { channel in state.handler.map { (channel, $0) } } }) else {
            let reason = state.withLock { $0.lastError }
            return group.next().makeFailedFuture(MQTTClientError.notConnected("not connected to the broker at \(configuration.url): \(reason)"))
        }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            handler.value.publish(messages, qos: qos, retain: retain, promise: promise)
        }
        return promise.futureResult
    }

    /// One QoS 0 message, or nothing when the connection is down or its write buffer is full
    /// (a slow broker): for updates where the next one replaces this one. Returns whether it was sent.
    @discardableResult
    public func publishIfWritable(topic: String, payload: [UInt8]) -> Bool {
        guard let channel = state.withLock({ state in state.handler == nil ? nil : state.channel }), channel.isWritable else { return false }
        var buffer = channel.allocator.buffer(capacity: payload.count + topic.utf8.count + 8)
        buffer.writeBytes(MQTTPacket.publish(MQTTPublish(topic: topic, payload: payload)).bytes)
        channel.writeAndFlush(buffer, promise: nil)
        return true
    }

    /// Sends DISCONNECT, closes, and stops reconnecting. The future completes once the connection is closed.
    @discardableResult
    public func stop() -> EventLoopFuture<Void> {
        guard let (channel, handler, waiters) = state.withLock({ state -> ((any Channel)?, NIOLoopBound<MQTTConnectionHandler>?, [EventLoopPromise<Void>])? in
            guard !state.stopped else { return nil }
            state.stopped = true
            defer { state.waiters = [] }
            return (state.channel, state.handler, state.waiters)
        }) else { return closed.futureResult }
        for waiter in waiters { waiter.fail(MQTTClientError.notConnected("the client for \(configuration.url) was stopped")) }
        guard let channel else {
            closed.succeed()
            return closed.futureResult
        }
        if let handler {
            channel.eventLoop.execute { handler.value.disconnect() }
        } else {
            channel.close(promise: nil)
        }
        channel.closeFuture.whenComplete { [closed] _ in closed.succeed() }
        return closed.futureResult
    }

    private func connect() {
        let configuration = configuration
        let sslContext = sslContext
        let events = ConnectionEvents(
            connected: { [self] channel, handler, sessionPresent in
                let waiters = state.withLock { state in
                    state.handler = handler
                    state.channel = channel
                    state.failedAttempts = 0
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.succeed() }
                onEvent(.connected(sessionPresent: sessionPresent))
            },
            subscribed: { [onEvent] in onEvent(.subscribed(granted: $0)) },
            message: onMessage,
            refused: { [self] error in state.withLock { $0.lastError = error.description } },
            ended: { [self] reason in connectionEnded(reason) })
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(configuration.connectTimeoutMillis))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.writeBufferWaterMark, value: .init(low: configuration.writeBufferBytes / 2, high: configuration.writeBufferBytes))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let host = configuration.url.host
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: Self.isIPAddress(host) ? nil : host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MQTTPacketDecoder(maxPacketBytes: configuration.maxPacketBytes)))
                    try channel.pipeline.syncOperations.addHandler(MQTTConnectionHandler(configuration: configuration, events: events))
                }
            }
        bootstrap.connect(host: configuration.url.host, port: configuration.url.port).whenComplete { [self] result in
            switch result {
            case let .success(channel):
                let stopped = state.withLock { state in
                    if !state.stopped { state.channel = channel }
                    return state.stopped
                }
                if stopped { channel.close(promise: nil) }
            case let .failure(error):
                connectionEnded("cannot connect to the broker at \(configuration.url): \(error)")
            }
        }
    }

    private func connectionEnded(_ reason: String) {
        let retry = state.withLock { state -> Int64? in
            state.channel = nil
            state.handler = nil
            state.lastError = reason
            guard !state.stopped else { return nil }
            state.failedAttempts += 1
            let step = min(configuration.reconnectMaxMillis, configuration.reconnectBaseMillis << Int64(min(state.failedAttempts - 1, 20)))
            return step / 2 + Int64.random(in: 0...max(0, step / 2), using: &state.jitter)
        }
        onEvent(.disconnected(reason: reason, retryMillis: retry))
        guard let retry else { return }
        group.next().scheduleTask(in: .milliseconds(retry)) { [self] in
            if !state.withLock({ $0.stopped }) { connect() }
        }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
