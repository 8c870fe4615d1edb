import AsyncHTTPClient
import KinesisWire
import SigV4
import NIOCore
import NIOHTTP1
import StreamReading
import Synchronization

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A `StreamSource` over the Kinesis JSON API (Amazon Kinesis, moto, LocalStack, another
/// alleycat node): `POST /` with `X-Amz-Target: Kinesis_20131202.<Action>`, SigV4-signed
/// for the service "kinesis".
///
/// Calls block until answered or `requestTimeoutMillis` passes: the callers are reader
/// threads of their own, never the cooperative pool. One keep-alive HTTP client per
/// instance; `shutdown()` closes it.
public final class KinesisClient: StreamSource {
    public static let targetPrefix = "Kinesis_20131202."
    public static let contentType = "application/x-amz-json-1.1"

    public let streamName: String
    /// `scheme://host[:port][/path]`, as the configuration gave it.
    public let endpoint: String
    public let sourceName: String
    /// Kinesis allows 5 GetRecords a second per shard.
    public let minimumReadIntervalMillis: Int64 = 200
    /// GetRecords' Limit is at most 10,000.
    public let maximumReadLimit = 10_000
    public let requestTimeoutMillis: Int64

    private let signer: SigV4Signer
    private let url: String
    private let host: String
    private let path: String
    private let http: HTTPClient
    private let clock: @Sendable () -> Int64
    private let isShutDown = Mutex(false)

    /// `clock` gives epoch milliseconds for the signature's date (the wall clock unless a test pins it).
    public init(
        configuration: AWSConfiguration, streamName: String, requestTimeoutMillis: Int64 = 10_000,
        clock: @escaping @Sendable () -> Int64 = KinesisClient.wallClockMillis
    ) {
        self.streamName = streamName
        endpoint = configuration.endpoint
        sourceName = "\(configuration.endpoint)/\(streamName)"
        self.requestTimeoutMillis = requestTimeoutMillis
        self.clock = clock
        signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "kinesis")
        let parts = Self.split(configuration.endpoint)
        host = parts.host
        path = parts.path
        url = configuration.endpoint + (parts.path == "/" ? "/" : "")
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,  // a signed request goes only where it was signed for
            timeout: .init(connect: .milliseconds(min(requestTimeoutMillis, 5_000)), read: .milliseconds(requestTimeoutMillis)),
            connectionPool: .init(idleTimeout: .seconds(60)))
        http.httpVersion = .http1Only
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    /// A client configured from `environment` as the AWS SDKs are (see `AWSConfiguration`).
    public convenience init(environment: [String: String], streamName: String) throws(AWSConfigurationError) {
        self.init(configuration: try AWSConfiguration(environment: environment), streamName: streamName)
    }

    deinit {
        // An HTTPClient must be shut down before it goes; deinit may run on an event loop, so it does not wait.
        if !isShutDown.withLock({ $0 }) { http.shutdown { _ in } }
    }

    /// Closes the connections and waits until they are closed. Later calls fail.
    public func shutdown() {
        let first = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        if first { try? http.syncShutdown() }
    }

    public static func wallClockMillis() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// One call of any action (CreateStream, PutRecords, DescribeStreamSummary...): the
    /// body of a 200 answer, or the error the answer maps to (`KinesisErrorAnswer`).
    public func call(action: String, body: [UInt8]) throws(SourceError) -> [UInt8] {
        var headers: [(name: String, value: String)] = [
            ("Host", host), ("Content-Type", Self.contentType), ("X-Amz-Target", Self.targetPrefix + action),
        ]
        // `path` is the endpoint's path as sent; encoding it again is SigV4's rule for every service but S3.
        headers += signer.sign(method: "POST", path: path, headers: headers, body: body, date: AmzDate(epochSeconds: clock() / 1000))
        var httpHeaders = HTTPHeaders(headers.map { ($0.name, $0.value) })
        httpHeaders.add(name: "User-Agent", value: "alleycat-kinesis-client")  // unsigned, as the SDKs leave it
        let response: HTTPClient.Response
        do {
            let request = try HTTPClient.Request(url: url, method: .POST, headers: httpHeaders, body: .bytes(body))
            response = try http.execute(request: request, deadline: .now() + .milliseconds(requestTimeoutMillis)).wait()
        } catch {
            throw .failure(
                "\(action) at \(endpoint) got no answer: \(describe(error)); check the endpoint (AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL or AWS_REGION) and that the service is running")
        }
        let bytes = response.body.map { Array($0.readableBytesView) } ?? []
        guard response.status.code == 200 else {
            let answer = KinesisErrorAnswer(status: Int(response.status.code), errorTypeHeader: response.headers.first(name: "x-amzn-ErrorType"), body: bytes)
            throw answer.sourceError(action: action, endpoint: endpoint)
        }
        return bytes
    }

    /// Reads a 200 answer with `parse`; an answer that does not parse is a failure naming the call.
    func answer<T>(_ action: String, _ body: [UInt8], _ parse: ([UInt8]) throws(WireError) -> T) throws(SourceError) -> T {
        let bytes = try call(action: action, body: body)
        do throws(WireError) {
            return try parse(bytes)
        } catch {
            throw .failure("\(action) at \(endpoint) gave an answer that cannot be read: \(error.message)")
        }
    }

    private func describe(_ error: any Error) -> String {
        switch error as? HTTPClientError {
        case .deadlineExceeded?, .readTimeout?: "no answer within \(requestTimeoutMillis) ms"
        case .connectTimeout?: "no connection within \(min(requestTimeoutMillis, 5_000)) ms"
        case .alreadyShutdown?: "this client is shut down"
        case .remoteConnectionClosed?: "the server closed the connection"
        default: "\(error)"
        }
    }

    /// The Host header (without a default port, as botocore signs it) and the request path.
    public static func split(_ endpoint: String) -> (host: String, path: String) {
        let https = endpoint.lowercased().hasPrefix("https://")
        let rest = endpoint.dropFirst(https ? 8 : 7)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        var host = String(authority)
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
            let port = host[host.index(after: colon)...]
            if port == (https ? "443" : "80") { host = String(host[..<colon]) }
        }
        return (host, path.isEmpty ? "/" : String(path))
    }
}
