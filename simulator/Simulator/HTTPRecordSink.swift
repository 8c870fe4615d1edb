import AsyncHTTPClient
import KinesisAPI
import KinesisStream
import KinesisWire
import NIOCore
import NIOHTTP1

/// Puts records into a Kinesis-compatible endpoint over HTTP (`alleycat-sim --endpoint`):
/// PutRecords as an AWS SDK sends it, with the API key as `x-api-key`, over a pool of
/// keep-alive connections (one call per connection at a time).
public final class HTTPRecordSink: RecordSink {
    public let endpoint: String
    public let streamName: String
    private let apiKey: String
    private let client: HTTPClient

    public init(endpoint: String, apiKey: String, streamName: String = KinesisStream.defaultName, connections: Int) {
        self.endpoint = endpoint
        self.apiKey = apiKey
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

    public func putRecords(_ entries: [PutRecordsRequestEntry]) throws -> PutRecordsResponse {
        let body = try call(PutRecordsCall.target, PutRecordsCall.requestBody(streamName: streamName, entries: entries))
        do {
            return try PutRecordsCall.response(body)
        } catch {
            throw SinkRefusal(description: "the endpoint's PutRecords answer could not be read: \(error)")
        }
    }

    /// DescribeStreamSummary, before a run: checks the endpoint answers, the key is
    /// accepted and the stream exists. Returns the stream's open shard count.
    public func describeStream() throws -> Int {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("StreamName")
        writer.string(streamName)
        writer.endObject()
        let body = try call(KinesisAPI.targetPrefix + KinesisAPI.Action.describeStreamSummary.rawValue, writer.bytes)
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
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: KinesisAPI.contentType)
        headers.add(name: "X-Amz-Target", value: target)
        headers.add(name: "x-api-key", value: apiKey)
        let response: HTTPClient.Response
        do {
            let request = try HTTPClient.Request(url: endpoint, method: .POST, headers: headers, body: .bytes(body))
            response = try client.execute(request: request).wait()
        } catch {
            throw SinkUnavailable(description: "\(endpoint) did not answer: \(error)")
        }
        let bytes = response.body.map { Array($0.readableBytesView) } ?? []
        if response.status.code == 200 { return bytes }
        let refusal = PutRecordsCall.refusal(bytes)
        let text = "HTTP \(response.status.code) \(refusal.type): \(refusal.message)"
        if response.status.code == 429 || response.status.code >= 500 {
            throw SinkUnavailable(description: text)
        }
        throw SinkRefusal(description: text)
    }
}
