import Hummingbird
import KinesisAPI
import HTTPTypes
import NIOCore
import NIOPosix
import KinesisCBOR
import KinesisWire
import SigV4

/// POST /: the Kinesis Data Streams JSON API for producers and AWS SDKs. Ingest needs
/// an API key (see APIKeyRing); the size of a request is checked before it is read whole.
extension ServiceRoutes {
    func addKinesisRoutes(to router: Router<RouteContext>) {
        router.post("/") { request, _ in
            var request = request
            // Refusals are answered in the request's format where it names one that is read.
            let answerFormat = (try? KinesisAPI.bodyFormat(contentType: request.headers[.contentType])) ?? .json
            do {
                let kinesisAction = try KinesisAPI.action(target: request.headers[.amzTarget])
                let format = try KinesisAPI.bodyFormat(contentType: request.headers[.contentType])
                guard let kinesis else {
                    throw KinesisAPIError.resourceNotFound("this service hosts no stream: it reads a remote one (--source); send records to that stream")
                }
                if let length = request.headers[.contentLength].flatMap(Int.init), length > KinesisAPI.maximumRequestBytes {
                    throw Self.tooLarge(length)
                }
                let credential = try APIKeyRing.credential(
                    apiKeyHeader: request.headers[.apiKey], authorization: request.headers[.authorization])
                // An unknown or revoked key is refused before its body is read; a request's
                // tokens are taken only once its signature (if it has one) checks out.
                let (key, signingSecret) = try keyRing.identify(credential)
                let buffer: ByteBuffer
                do {
                    buffer = try await request.collectBody(upTo: KinesisAPI.maximumRequestBytes)
                } catch is NIOTooManyBytesError {
                    throw Self.tooLarge(nil)
                }
                let requestBody = Array(buffer.readableBytesView)
                if case let .signed(authorization) = credential {
                    try keyRing.verify(
                        Self.signedRequest(request, body: requestBody), authorization: authorization, key: key, signingSecret: signingSecret)
                }
                try keyRing.admit(key)
                try keyRing.spend(key, bytes: requestBody.count)
                let json = try Self.json(requestBody, format: format)
                if kinesisAction == .subscribeToShard {
                    let subscription = try kinesis.subscribe(json, region: credential?.signingRegion)
                    metrics.kinesisRequest(action: kinesisAction.rawValue, outcome: "ok", key: key.name).increment()
                    return Self.eventStream(subscription, format: format, pool: ingestPool)
                }
                let body: [UInt8]
                // PutRecords' answer is written straight in CBOR for a CBOR client; the others are transcoded.
                let direct = format == .cbor && kinesisAction == .putRecords
                do {
                    // A durable stream answers once its log is synced: the call blocks its thread
                    // for the fsync, so it runs on the ingest pool, not the cooperative pool.
                    body = try await ingestPool.runIfActive {
                        direct
                            ? try kinesis.putRecordsCBOR(json, region: credential?.signingRegion)
                            : try kinesis.handle(kinesisAction, body: json, region: credential?.signingRegion)
                    }
                } catch let error as KinesisAPIError {
                    throw error
                } catch {
                    throw KinesisAPIError.internalFailure("the service is stopping: \(error)")
                }
                metrics.kinesisRequest(action: kinesisAction.rawValue, outcome: "ok", key: key.name).increment()
                if direct {
                    return Response(status: .ok, headers: [.contentType: KinesisAPI.cborContentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
                }
                return Self.answer(status: .ok, body: body, format: format)
            } catch let error as KinesisAPIError {
                let name = (try? KinesisAPI.action(target: request.headers[.amzTarget]).rawValue) ?? "unknown"
                metrics.kinesisRequest(action: name, outcome: error.typeName, key: nil).increment()
                var response = Self.answer(status: HTTPResponse.Status(code: error.status), body: error.body, format: answerFormat)
                response.headers[.amzErrorType] = error.typeName
                return response
            }
        }
    }

    /// The request as SigV4 signed it: its headers by name, with `Host` (which HTTP types
    /// keep as the request's authority).
    static func signedRequest(_ request: Request, body: [UInt8]) -> SigV4Verifier.Request {
        var headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        if let authority = request.head.authority { headers.append((name: "host", value: authority)) }
        return SigV4Verifier.Request(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers, body: body)
    }

    /// SubscribeToShard's answer: an `initial-response` event, then a `SubscribeToShardEvent`
    /// at once and then whenever records arrive (at least once a second while caught up, so a
    /// client sees it is alive), until the subscription ends or the client goes. A failure
    /// reading the stream ends it with an `InternalFailure` exception event.
    static func eventStream(_ subscription: Subscription, format: KinesisAPI.BodyFormat, pool: NIOThreadPool) -> Response {
        let contentType = format == .cbor ? KinesisAPI.cborContentType : "application/json"
        return Response(
            status: .ok, headers: [.contentType: EventStream.contentType],
            body: ResponseBody { writer in
                defer { subscription.end() }
                try await writer.write(ByteBuffer(bytes: EventStream.event(
                    "initial-response", payload: Self.encoded(Array("{}".utf8), format: format), contentType: contentType)))
                while true {
                    let event: (payload: [UInt8], records: Int)?
                    do {
                        event = try await pool.runIfActive { try subscription.next() }
                    } catch {
                        let failure = (error as? KinesisAPIError) ?? .internalFailure("the service is stopping: \(error)")
                        try await writer.write(ByteBuffer(bytes: EventStream.message(
                            headers: [(":exception-type", failure.typeName), (":content-type", contentType), (":message-type", "exception")],
                            payload: Self.encoded(failure.body, format: format))))
                        break
                    }
                    guard let event else { break }
                    try await writer.write(ByteBuffer(bytes: EventStream.event(
                        "SubscribeToShardEvent", payload: Self.encoded(event.payload, format: format), contentType: contentType)))
                    if subscription.isOver { break }
                    if event.records == 0 { try await Task.sleep(for: .seconds(1)) }
                }
                try await writer.finish(nil)
            })
    }

    static func tooLarge(_ length: Int?) -> KinesisAPIError {
        let size = length.map { "\($0) bytes" } ?? "more than \(KinesisAPI.maximumRequestBytes) bytes"
        return .requestTooLarge("The request body is \(size); at most \(KinesisAPI.maximumRequestBytes) bytes (8 MiB) are read: PutRecords takes at most 500 records and 5 MiB of data per call, split the batch")
    }

    /// An answer in the request's format: the API's JSON as is, or transcoded to CBOR.
    static func answer(status: HTTPResponse.Status, body: [UInt8], format: KinesisAPI.BodyFormat = .json) -> Response {
        Response(
            status: status, headers: [.contentType: format == .cbor ? KinesisAPI.cborContentType : KinesisAPI.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: encoded(body, format: format))))
    }

    /// The API's JSON (an answer, an event, a refusal) in `format`. The API writes only JSON
    /// that transcodes; were one not to, the answer would say so rather than send bad CBOR.
    static func encoded(_ json: [UInt8], format: KinesisAPI.BodyFormat) -> [UInt8] {
        guard format == .cbor else { return json }
        do {
            return try KinesisCBOR.answerCBOR(json: json)
        } catch {
            return (try? KinesisCBOR.answerCBOR(json: KinesisAPIError.internalFailure("the answer could not be written as CBOR (\(error))").body)) ?? []
        }
    }

    /// A request body as the API reads it: JSON as sent, CBOR transcoded (malformed CBOR is a SerializationException).
    static func json(_ body: [UInt8], format: KinesisAPI.BodyFormat) throws(KinesisAPIError) -> [UInt8] {
        guard format == .cbor else { return body }
        do {
            return try KinesisCBOR.requestJSON(cbor: body)
        } catch {
            throw .serialization(error.description)
        }
    }
}

extension HTTPField.Name {
    static let amzTarget = Self("X-Amz-Target")!
    static let amzErrorType = Self("x-amzn-ErrorType")!
    static let apiKey = Self("x-api-key")!
}
