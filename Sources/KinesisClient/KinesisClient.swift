import AWSClient
import KinesisWire
import StreamReading

/// A `StreamSource` over the Kinesis JSON API (Amazon Kinesis, moto, LocalStack, another
/// alleycat node): `POST /` with `X-Amz-Target: Kinesis_20131202.<Action>`, SigV4-signed
/// for the service "kinesis".
///
/// Calls block until answered or `requestTimeoutMillis` passes (see `AWSHTTPClient`).
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
    public var requestTimeoutMillis: Int64 { http.requestTimeoutMillis }

    private let http: AWSHTTPClient

    /// `clock` gives epoch milliseconds for the signature's date (the wall clock unless a test pins it).
    public init(
        configuration: AWSConfiguration, streamName: String, requestTimeoutMillis: Int64 = 10_000,
        clock: @escaping @Sendable () -> Int64 = AWSHTTPClient.wallClockMillis
    ) {
        self.streamName = streamName
        endpoint = configuration.endpoint
        sourceName = "\(configuration.endpoint)/\(streamName)"
        http = AWSHTTPClient(configuration: configuration, requestTimeoutMillis: requestTimeoutMillis, clock: clock)
    }

    /// A client configured from `environment` as the AWS SDKs are (see `AWSConfiguration`).
    public convenience init(environment: [String: String], streamName: String) throws(AWSConfigurationError) {
        self.init(configuration: try AWSConfiguration(environment: environment), streamName: streamName)
    }

    /// Closes the connections and waits until they are closed. Later calls fail.
    public func shutdown() { http.shutdown() }

    /// One call of any action (CreateStream, PutRecords, DescribeStreamSummary...): the
    /// body of a 200 answer, or the error the answer maps to (`AWSErrorAnswer`).
    public func call(action: String, body: [UInt8]) throws(SourceError) -> [UInt8] {
        let response: AWSResponse
        do {
            response = try http.send(
                method: .POST, headers: [("Content-Type", Self.contentType), ("X-Amz-Target", Self.targetPrefix + action)], body: body)
        } catch {
            throw .failure("\(action) at \(endpoint) got no answer: \(error.reason); \(http.endpointHint)")
        }
        guard response.status == 200 else {
            let answer = AWSErrorAnswer(status: response.status, errorTypeHeader: response.header("x-amzn-ErrorType"), body: response.body)
            throw answer.sourceError(action: action, endpoint: endpoint)
        }
        return response.body
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
}
