import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// Limits and timeouts of the HTTP listener (`serve --help` sets them).
public struct ConnectionLimits: Sendable, Equatable {
    /// Connections served in full at once.
    public var maxConnections = 4096
    /// Connections accepted beyond `maxConnections` that may only ask for /health or
    /// /metrics (within `reserveTimeout`). Past these, a new connection closes the oldest
    /// one that has not sent a request yet; when there is none it is answered 503 and closed.
    public var reserveConnections = 64
    /// A connection with no request open is closed after this.
    public var idleTimeout: Duration = .seconds(60)
    /// From a request's first byte to the end of its head.
    public var headerTimeout: Duration = .seconds(10)
    /// From the end of a request's head to the end of its body.
    public var bodyTimeout: Duration = .seconds(30)
    /// Every timeout of a connection taken from the reserve.
    public var reserveTimeout: Duration = .seconds(2)
    /// Request line and headers together.
    public var maxHeaderBytes = 64 << 10
    public var maxBodyBytes = 16 << 20

    public init() {}
}

/// Open connections, shared by every connection's guard, and those of them that have not
/// sent a whole request yet ("fresh"), oldest first: when every slot is taken, a new
/// connection closes the oldest fresh one, so idle sockets (a flood) cannot lock out a
/// client that asks for something.
final class ConnectionCounter: Sendable {
    private struct State {
        var open = 0
        var fresh: [ObjectIdentifier: (channel: any Channel, order: Int)] = [:]
        var nextOrder = 0
    }

    private let state = Mutex(State())

    /// Counts a new connection (as fresh); returns how many are open with it.
    func opened(_ channel: any Channel) -> Int {
        state.withLock { state in
            state.open += 1
            state.fresh[ObjectIdentifier(channel)] = (channel, state.nextOrder)
            state.nextOrder += 1
            return state.open
        }
    }

    /// The connection sent a whole request head: it is no longer fresh.
    func requested(_ channel: any Channel) {
        _ = state.withLock { $0.fresh.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func closed(_ channel: any Channel) {
        state.withLock { state in
            state.open -= 1
            state.fresh[ObjectIdentifier(channel)] = nil
        }
    }

    /// Takes the oldest fresh connection but `keeping` out of the fresh ones, for the caller to close.
    func oldestFresh(keeping: any Channel) -> (any Channel)? {
        state.withLock { state in
            let kept = ObjectIdentifier(keeping)
            guard let oldest = state.fresh.filter({ $0.key != kept }).min(by: { $0.value.order < $1.value.order }) else { return nil }
            state.fresh[oldest.key] = nil
            return oldest.value.channel
        }
    }

}

/// The HTTP/1.1 (and WebSocket upgrade) channel with a `ConnectionGuard` in front of it.
struct GuardedChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let limits: ConnectionLimits
    let counter: ConnectionCounter
    /// Called with the reason of each refusal or closed connection (for /metrics).
    let refused: @Sendable (String) -> Void

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(
                ConnectionGuard(limits: limits, counter: counter, refused: refused), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// First in each connection's pipeline, on the raw bytes: frames requests (head, then a
/// Content-Length or chunked body) so that a connection that is idle, sends its head or
/// body too slowly, or sends malformed HTTP is answered (`{"error": …}` with a 400, 408,
/// 413, 431 or 503) and closed, never left open. A request head is held back until it is
/// whole and valid, so the HTTP decoder behind sees only well-formed heads. After a
/// WebSocket upgrade request the bytes pass through unchecked.
final class ConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    enum State {
        /// Between requests: the idle timeout runs.
        case idle
        /// Collecting a head in `held`: the header timeout runs.
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
        /// A whole request is in; its answer has not started. No timeout.
        case waiting
        /// Upgraded to a WebSocket, or closing.
        case passthrough
    }

    private let limits: ConnectionLimits
    private let counter: ConnectionCounter
    private let refused: @Sendable (String) -> Void
    private var state = State.idle
    private var held: [UInt8] = []
    private var bodyBytes = 0
    private var counted = false
    private var fromReserve = false
    private var answeredEarly = false
    private var timer: Scheduled<Void>?

    init(limits: ConnectionLimits, counter: ConnectionCounter, refused: @escaping @Sendable (String) -> Void) {
        self.limits = limits
        self.counter = counter
        self.refused = refused
    }

    // MARK: Connection

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard !counted else { return }
        counted = true
        let open = counter.opened(context.channel)
        if open > limits.maxConnections + limits.reserveConnections {
            // Every slot is taken: the oldest connection that never asked for anything goes.
            guard let squatter = counter.oldestFresh(keeping: context.channel) else {
                refuse(context: context, status: "503 Service Unavailable", reason: "too-many-connections",
                       "the service has \(limits.maxConnections + limits.reserveConnections) connections open, its limit: retry later")
                return
            }
            refused("evicted")
            squatter.close(promise: nil)
        }
        fromReserve = open > limits.maxConnections
        arm(context: context, after: timeout(limits.idleTimeout), reason: "idle-timeout")
    }

    func channelInactive(context: ChannelHandlerContext) {
        release(context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release(context)
    }

    /// Uncounts the connection and stops its timer, once.
    private func release(_ context: ChannelHandlerContext) {
        if counted {
            counter.closed(context.channel)
            counted = false
        }
        disarm()
    }

    private func timeout(_ duration: Duration) -> Duration {
        fromReserve ? min(duration, limits.reserveTimeout) : duration
    }

    // MARK: Answers

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The answer has started: the connection is idle again once it is written.
        if case .waiting = state {
            state = .idle
            arm(context: context, after: timeout(limits.idleTimeout), reason: "idle-timeout")
        } else if case .idle = state {
            arm(context: context, after: timeout(limits.idleTimeout), reason: "idle-timeout")
        } else if isReadingBody {
            // A route may answer before it reads the body (a refusal): a body that then stalls is not answered again.
            answeredEarly = true
        }
        context.write(data, promise: promise)
    }

    private func arm(context: ChannelHandlerContext, after duration: Duration, reason: String) {
        timer?.cancel()
        let nanos = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanos)) { [self] in
            timedOut(context: context, reason: reason, after: duration)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }

    private func timedOut(context: ChannelHandlerContext, reason: String, after duration: Duration) {
        timer = nil
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let text = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
        switch reason {
        case "header-timeout":
            refuse(context: context, status: "408 Request Timeout", reason: reason, "the request head did not arrive whole within \(text) s")
        case "body-timeout" where answeredEarly:
            state = .passthrough
            refused(reason)
            context.close(promise: nil)
        case "body-timeout":
            refuse(context: context, status: "408 Request Timeout", reason: reason, "the request body did not arrive whole within \(text) s")
        default:
            // An idle connection is closed without an answer (nothing was asked).
            state = .passthrough
            refused(reason)
            context.close(promise: nil)
        }
    }

    /// Answers `{"error": message}` with `status`, then closes the connection.
    private func refuse(context: ChannelHandlerContext, status: String, reason: String, _ message: String) {
        guard !isPassthrough else { return }
        state = .passthrough
        disarm()
        refused(reason)
        let body = "{\"error\":\(jsonString(message))}"
        let text = "HTTP/1.1 \(status)\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: \(body.utf8.count)\r\n"
            + "connection: close\r\n\r\n" + body
        let buffer = context.channel.allocator.buffer(string: text)
        context.writeAndFlush(NIOAny(IOData.byteBuffer(buffer))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private var isReadingBody: Bool {
        switch state {
        case .body, .chunkSize, .chunkData, .chunkEnd, .trailers: true
        default: false
        }
    }

    private var isPassthrough: Bool {
        if case .passthrough = state { return true }
        return false
    }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if isPassthrough {
            context.fireChannelRead(data)
            return
        }
        let input = unwrapInboundIn(data)
        // Heads and chunk lines are copied into `out` once checked; bodies go on as slices
        // of the bytes read (no copy), in order with them.
        var out = context.channel.allocator.buffer(capacity: 0)
        let bytes = input.readableBytesView
        var index = bytes.startIndex
        func pass(_ count: Int) {
            if out.readableBytes > 0 {
                context.fireChannelRead(wrapInboundOut(out))
                out = context.channel.allocator.buffer(capacity: 0)
            }
            let offset = index - bytes.startIndex
            context.fireChannelRead(wrapInboundOut(input.getSlice(at: input.readerIndex + offset, length: count)!))
            index += count
        }
        reading: while index < bytes.endIndex {
            switch state {
            case .idle, .waiting:
                state = .head
                answeredEarly = false
                held.removeAll(keepingCapacity: true)
                arm(context: context, after: timeout(limits.headerTimeout), reason: "header-timeout")
            case .head:
                held.append(bytes[index])
                index += 1
                if held.count > limits.maxHeaderBytes {
                    refuse(context: context, status: "431 Request Header Fields Too Large", reason: "malformed",
                           "the request line and headers are over \(limits.maxHeaderBytes) bytes")
                    break reading
                }
                guard held.count >= 4, held[held.count - 4] == 0x0D, held[held.count - 3] == 0x0A, held[held.count - 2] == 0x0D,
                      held[held.count - 1] == 0x0A else { continue }
                switch RequestHead.check(held, limits: limits, fromReserve: fromReserve) {
                case let .refused(status, message):
                    refuse(context: context, status: status, reason: status.hasPrefix("503") ? "reserve-only" : "malformed", message)
                    break reading
                case let .accepted(framing, upgrade):
                    counter.requested(context.channel)
                    out.writeBytes(held)
                    held.removeAll(keepingCapacity: true)
                    bodyBytes = 0
                    if upgrade {
                        state = .passthrough
                        disarm()
                        if index < bytes.endIndex { pass(bytes.endIndex - index) }
                        break reading
                    }
                    switch framing {
                    case .none:
                        state = .waiting
                        disarm()
                    case let .length(count):
                        state = .body(remaining: count)
                        arm(context: context, after: timeout(limits.bodyTimeout), reason: "body-timeout")
                    case .chunked:
                        state = .chunkSize
                        arm(context: context, after: timeout(limits.bodyTimeout), reason: "body-timeout")
                    }
                }
            case let .body(remaining):
                let take = min(remaining, bytes.endIndex - index)
                pass(take)
                if take == remaining {
                    state = .waiting
                    disarm()
                } else {
                    state = .body(remaining: remaining - take)
                }
            case .chunkSize, .trailers:
                held.append(bytes[index])
                index += 1
                if held.count > 4096 {
                    refuse(context: context, status: "400 Bad Request", reason: "malformed", "a chunk-size or trailer line is over 4096 bytes")
                    break reading
                }
                guard held.count >= 2, held[held.count - 2] == 0x0D, held[held.count - 1] == 0x0A else { continue }
                let line = held.dropLast(2)
                if case .trailers = state {
                    out.writeBytes(held)
                    held.removeAll(keepingCapacity: true)
                    if line.isEmpty {
                        state = .waiting
                        disarm()
                    }
                    continue
                }
                let sizeText = String(decoding: line.prefix { $0 != 0x3B }, as: UTF8.self).trimmingSpaces
                guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else {
                    refuse(context: context, status: "400 Bad Request", reason: "malformed",
                           "chunk size '\(quoted(sizeText))' is not a hexadecimal number of bytes")
                    break reading
                }
                bodyBytes += size
                if bodyBytes > limits.maxBodyBytes {
                    refuse(context: context, status: "413 Content Too Large", reason: "malformed",
                           "the request body is over the \(limits.maxBodyBytes >> 20) MiB limit")
                    break reading
                }
                out.writeBytes(held)
                held.removeAll(keepingCapacity: true)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case let .chunkData(remaining):
                let take = min(remaining, bytes.endIndex - index)
                pass(take)
                state = take == remaining ? .chunkEnd : .chunkData(remaining: remaining - take)
            case .chunkEnd:
                held.append(bytes[index])
                index += 1
                guard held.count == 2 else { continue }
                guard held == [0x0D, 0x0A] else {
                    refuse(context: context, status: "400 Bad Request", reason: "malformed", "a chunk's data is longer than its size")
                    break reading
                }
                out.writeBytes(held)
                held.removeAll(keepingCapacity: true)
                state = .chunkSize
            case .passthrough:
                break reading
            }
        }
        if out.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(out)) }
    }
}

/// A request head's checks (what `ConnectionGuard` refuses) and its body's framing.
enum RequestHead {
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
    }

    enum Outcome: Equatable {
        case accepted(Framing, upgrade: Bool)
        case refused(status: String, message: String)
    }

    static func check(_ head: [UInt8], limits: ConnectionLimits, fromReserve: Bool) -> Outcome {
        func bad(_ message: String) -> Outcome { .refused(status: "400 Bad Request", message: message) }
        let text = String(decoding: head.dropLast(4), as: UTF8.self)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let requestLine = lines[0]
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && ($0.isUppercase || $0 == "-") }),
              parts[1].hasPrefix("/") || parts[1] == "*" || parts[1].hasPrefix("http://") || parts[1].hasPrefix("https://")
        else {
            return bad("not an HTTP request line: '\(quoted(requestLine))' (expected METHOD /path HTTP/1.1)")
        }
        guard parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            return .refused(status: "505 HTTP Version Not Supported", message: "HTTP version '\(quoted(parts[2]))' is not served: use HTTP/1.1")
        }
        var lengths: [Substring] = []
        var transferEncoding: Substring?
        var upgrade = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  line[..<colon].allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "\"" })
            else {
                return bad("not a header line: '\(quoted(line))' (expected Name: value)")
            }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces
            switch name {
            case "content-length": lengths.append(Substring(value))
            case "transfer-encoding": transferEncoding = Substring(value)
            case "upgrade": upgrade = value.lowercased() == "websocket"
            default: break
            }
        }
        if fromReserve {
            let path = parts[1].prefix { $0 != "?" }
            guard path == "/health" || path == "/metrics" else {
                return .refused(
                    status: "503 Service Unavailable",
                    message: "the service has \(limits.maxConnections) connections open, its limit; only /health and /metrics are answered now: retry later")
            }
        }
        if let transferEncoding {
            guard lengths.isEmpty else { return bad("a request may not have both Transfer-Encoding and Content-Length") }
            guard transferEncoding.lowercased() == "chunked" else {
                return bad("Transfer-Encoding '\(quoted(transferEncoding))' is not accepted: send chunked, or a Content-Length")
            }
            return .accepted(.chunked, upgrade: upgrade)
        }
        guard let first = lengths.first else { return .accepted(.none, upgrade: upgrade) }
        guard lengths.count == 1 else { return bad("Content-Length is given \(lengths.count) times: send it once") }
        guard !first.isEmpty, first.count <= 18, first.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(first) else {
            return bad("Content-Length is '\(quoted(first))', must be a whole number of bytes")
        }
        guard length <= limits.maxBodyBytes else {
            return .refused(status: "413 Content Too Large", message: "a request body of \(length) bytes is over the \(limits.maxBodyBytes >> 20) MiB limit")
        }
        return .accepted(length == 0 ? .none : .length(length), upgrade: upgrade)
    }
}

/// Client text in a message: control characters escaped, cut at 40 characters.
private func quoted(_ text: some StringProtocol) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        if result.unicodeScalars.count >= 40 { return result + "…" }
        if scalar.value < 0x20 || scalar.value == 0x7F {
            result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// `text` as a JSON string literal.
private func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case _ where scalar.value < 0x20: result += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}

private extension StringProtocol {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
