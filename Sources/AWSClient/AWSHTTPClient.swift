import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SigV4
import Synchronization

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// An answer of any status: the caller decides what a status means for its service.
public struct AWSResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: [UInt8]

    public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers.first(name: name) }
}

/// A request that got no answer at all: `reason` says why ("no answer within 10000 ms").
public struct AWSTransportError: Error, Sendable, Equatable {
    public let reason: String
}

/// SigV4-signed HTTP requests to one AWS service's endpoint (Amazon's, or moto, MinIO,
/// another alleycat node). Calls block until answered or `requestTimeoutMillis` passes:
/// the callers are threads of their own, never the cooperative pool. One keep-alive
/// HTTP/1.1 client per instance; `shutdown()` closes it.
public final class AWSHTTPClient: Sendable {
    public let configuration: AWSConfiguration
    public let requestTimeoutMillis: Int64
    /// The Host header (without a default port, as botocore signs it).
    public let host: String
    /// The endpoint's own path, `/` when it has none.
    public let endpointPath: String

    private let signer: SigV4Signer
    private let http: HTTPClient
    private let clock: @Sendable () -> Int64
    private let isShutDown = Mutex(false)

    /// `clock` gives epoch milliseconds for the signature's date (the wall clock unless a test pins it).
    public init(
        configuration: AWSConfiguration, requestTimeoutMillis: Int64 = 10_000,
        clock: @escaping @Sendable () -> Int64 = AWSHTTPClient.wallClockMillis
    ) {
        self.configuration = configuration
        self.requestTimeoutMillis = requestTimeoutMillis
        self.clock = clock
        signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: configuration.service.signingName)
        let parts = Self.split(configuration.endpoint)
        host = parts.host
        endpointPath = parts.path
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,  // a signed request goes only where it was signed for
            timeout: .init(connect: .milliseconds(min(requestTimeoutMillis, 5_000)), read: .milliseconds(requestTimeoutMillis)),
            connectionPool: .init(idleTimeout: .seconds(60)))
        http.httpVersion = .http1Only
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
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

    /// What to tell a person whose request got no answer.
    public var endpointHint: String {
        "check the endpoint (\(configuration.service.endpointVariable), AWS_ENDPOINT_URL or AWS_REGION) and that the service is running"
    }

    /// Signs and sends one request (see `signedRequest`).
    public func send(
        method: HTTPMethod, path: String? = nil, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)],
        body: [UInt8]
    ) throws(AWSTransportError) -> AWSResponse {
        let signed = signedRequest(method: method, path: path, query: query, headers: headers, body: body)
        var httpHeaders = HTTPHeaders(signed.headers.map { ($0.name, $0.value) })
        httpHeaders.add(name: "User-Agent", value: "alleycat-aws-client")  // unsigned, as the SDKs leave it
        do {
            let request = try HTTPClient.Request(url: signed.url, method: method, headers: httpHeaders, body: .bytes(body))
            let response = try http.execute(request: request, deadline: .now() + .milliseconds(requestTimeoutMillis)).wait()
            return AWSResponse(status: Int(response.status.code), headers: response.headers, body: response.body.map { Array($0.readableBytesView) } ?? [])
        } catch {
            throw AWSTransportError(reason: describe(error))
        }
    }

    /// The URL and the signed headers of a request, `Host` first. `path` is below the
    /// endpoint and not yet percent-encoded (`/bucket/2026/12/02/x.gz`); nil is the
    /// endpoint's own path, where the JSON services take every call. S3 requests also carry
    /// and sign `x-amz-content-sha256`.
    public func signedRequest(
        method: HTTPMethod, path: String? = nil, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)],
        body: [UInt8]
    ) -> (url: String, headers: [(name: String, value: String)]) {
        var signed: [(name: String, value: String)] = [("Host", host)] + headers
        if configuration.service.signsPathEncodedOnce { signed.append(("x-amz-content-sha256", SigV4Signer.hexSHA256(body))) }
        let base = endpointPath == "/" ? "" : endpointPath
        let signedPath: String
        let sentPath: String
        if let path {
            // S3 signs the path as it is encoded once on the wire.
            signedPath = base + path
            sentPath = SigV4Signer.canonicalPath(signedPath)
        } else {
            // The path as sent; SigV4 encodes it once more for every service but S3.
            signedPath = endpointPath
            sentPath = endpointPath
        }
        signed += signer.sign(
            method: method.rawValue, path: signedPath, query: query, headers: signed, body: body, date: AmzDate(epochSeconds: clock() / 1000))
        let origin = configuration.endpoint.dropLast(base.count)
        let queryText = query.isEmpty ? "" : "?" + SigV4Signer.canonicalQuery(query)
        return (origin + sentPath + queryText, signed)
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
