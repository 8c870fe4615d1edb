import AWSClient
import AsyncHTTPClient
import KinesisAPI
import KinesisCBOR
import KinesisClient
import KinesisStream
import KinesisWire
import NIOCore
import NIOHTTP1
import RaceModel
import SigV4

/// Puts records into a Kinesis-compatible endpoint over HTTP (`alleycat-sim --endpoint`):
/// PutRecords as an AWS SDK sends it, with an API key as `x-api-key` or signed with
/// SigV4 (Amazon Kinesis, moto, or an alleycat key's id and secret), over a pool of
/// keep-alive connections (one call per connection at a time), in the Kinesis JSON
/// protocol or (`format` .cbor) the CBOR one the Java SDK sends.
public final class HTTPRecordSink: RecordSink {
    /// How each call says who sends it.
    public enum Authentication: Sendable {
        /// `x-api-key`, as API Gateway clients send it.
        case apiKey(String)
        /// A SigV4 signature, as the AWS SDKs sign (the signer's service is `kinesis`).
        case sigV4(SigV4Signer)
    }

    public let endpoint: String
    public let streamName: String
    public let format: KinesisAPI.BodyFormat
    private let authentication: Authentication
    /// The endpoint's host (with its port) and path, as the signature covers them.
    private let host: String
    private let path: String
    private let client: HTTPClient

    public init(
        endpoint: String, authentication: Authentication, streamName: String = KinesisStream.defaultName, connections: Int,
        format: KinesisAPI.BodyFormat = .json
    ) {
        self.format = format
        self.endpoint = endpoint
        self.authentication = authentication
        (host, path) = AWSHTTPClient.split(endpoint)
        self.streamName = streamName
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: .seconds(5), read: .seconds(60)),
            connectionPool: .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections))
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    deinit {
        try? client.syncShutdown()
    }

    /// One PutRecords call: each record taken (by its shard) or refused, read from an
    /// answer of any Kinesis-compatible service.
    public func put(_ entries: [PutRecordsRequestEntry]) throws -> [RecordPut] {
        let request = format == .cbor ? Self.cborRequest(streamName: streamName, entries: entries)
            : PutRecordsCall.requestBody(streamName: streamName, entries: entries)
        let body = try call(PutRecordsCall.target, request)
        let shards: [ShardID?]
        do {
            shards = try PutRecordsCall.acceptedShards(body)
        } catch {
            throw SinkRefusal(description: "the endpoint's PutRecords answer could not be read: \(error)")
        }
        guard shards.count == entries.count else {
            throw SinkRefusal(description: "the endpoint answered \(shards.count) records for a PutRecords call of \(entries.count)")
        }
        return shards.map { $0.map { .accepted(shardIndex: $0.index) } ?? .refused }
    }

    /// DescribeStreamSummary, before a run: checks the endpoint answers, the key is
    /// accepted and the stream exists. Returns the stream's open shard count.
    public func describeStream() throws -> Int {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("StreamName")
        writer.string(streamName)
        writer.endObject()
        let request = format == .cbor ? Self.cbor { $0.text("StreamName"); $0.text(streamName) } : writer.bytes
        let body = try call(KinesisAPI.targetPrefix + KinesisAPI.Action.describeStreamSummary.rawValue, request)
        var shards = 0
        var reader = JSONReader(body)
        try reader.readObject { reader, member in
            guard member == "StreamDescriptionSummary" else { return try reader.skipValue() }
            try reader.readObject { reader, member in
                if member == "OpenShardCount" { shards = Int(try reader.readInteger(field: member)) } else { try reader.skipValue() }
            }
        }
        return shards
    }

    /// One call: the answer's body on 200; `SinkUnavailable` when the call may be retried
    /// whole (429, 5xx, no answer), `SinkRefusal` otherwise.
    private func call(_ target: String, _ body: [UInt8]) throws -> [UInt8] {
        var fields: [(name: String, value: String)] = [
            ("Host", host), ("Content-Type", format == .cbor ? KinesisAPI.cborContentType : KinesisAPI.contentType), ("X-Amz-Target", target),
        ]
        switch authentication {
        case let .apiKey(key):
            fields.append(("x-api-key", key))
        case let .sigV4(signer):
            fields += signer.sign(
                method: "POST", path: path, headers: fields, body: body, date: AmzDate(epochSeconds: SystemClock.realtimeMillis() / 1000))
        }
        let headers = HTTPHeaders(fields.map { ($0.name, $0.value) })
        let response: HTTPClient.Response
        do {
            let request = try HTTPClient.Request(url: endpoint, method: .POST, headers: headers, body: .bytes(body))
            response = try client.execute(request: request).wait()
        } catch {
            throw SinkUnavailable(description: "\(endpoint) did not answer: \(error)")
        }
        var bytes = response.body.map { Array($0.readableBytesView) } ?? []
        // A CBOR answer read as the JSON it transcodes to (its blobs as base64, as JSON has them).
        if format == .cbor, let json = try? KinesisCBOR.requestJSON(cbor: bytes) { bytes = json }
        if response.status.code == 200 { return bytes }
        let refusal = PutRecordsCall.refusal(bytes)
        let text = "HTTP \(response.status.code) \(refusal.type): \(refusal.message)"
        if response.status.code == 429 || response.status.code >= 500 {
            throw SinkUnavailable(description: text)
        }
        throw SinkRefusal(description: text)
    }

    /// PutRecords as the Java SDK writes it in CBOR: Data as byte strings.
    static func cborRequest(streamName: String, entries: [PutRecordsRequestEntry]) -> [UInt8] {
        var writer = CBORWriter(capacity: 64 + entries.reduce(0) { $0 + $1.data.count + $1.partitionKey.utf8.count + 40 })
        writer.mapHead(count: 2)
        writer.text("StreamName")
        writer.text(streamName)
        writer.text("Records")
        writer.arrayHead(count: entries.count)
        for entry in entries {
            writer.mapHead(count: entry.explicitHashKey == nil ? 2 : 3)
            writer.text("Data")
            writer.byteString(entry.data)
            writer.text("PartitionKey")
            writer.text(entry.partitionKey)
            if let explicit = entry.explicitHashKey {
                writer.text("ExplicitHashKey")
                writer.text(explicit)
            }
        }
        return writer.bytes
    }

    /// A one-member CBOR map written by `member`.
    private static func cbor(_ member: (inout CBORWriter) -> Void) -> [UInt8] {
        var writer = CBORWriter()
        writer.mapHead(count: 1)
        member(&writer)
        return writer.bytes
    }
}
