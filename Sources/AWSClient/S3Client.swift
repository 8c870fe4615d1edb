import NIOHTTP1

/// An object as S3 answers it: its bytes and its entity tag (quotes included, as sent).
public struct S3Object: Sendable, Equatable {
    public var bytes: [UInt8]
    public var etag: String

    public init(bytes: [UInt8], etag: String) {
        self.bytes = bytes
        self.etag = etag
    }
}

/// A precondition for a write: S3's conditional writes (`If-None-Match: *`, `If-Match: ETAG`).
public enum S3WriteCondition: Sendable, Equatable {
    /// Only when no object has the key.
    case absent
    /// Only when the object there still has this entity tag.
    case unchanged(etag: String)
}

/// The S3 REST API, path-style (`/bucket/key`, as S3-compatible stores want it), SigV4-signed
/// for "s3" with the payload's SHA-256: the calls the delivery and history buckets need.
public final class S3Client: Sendable {
    public let http: AWSHTTPClient
    public var endpoint: String { http.configuration.endpoint }

    public init(configuration: AWSConfiguration, requestTimeoutMillis: Int64 = 30_000) {
        http = AWSHTTPClient(configuration: configuration, requestTimeoutMillis: requestTimeoutMillis)
    }

    public func shutdown() { http.shutdown() }

    /// Creates the bucket; one that this account already owns is not an error.
    public func createBucket(_ bucket: String) throws(AWSCallError) {
        let region = http.configuration.region
        // us-east-1 takes no location; every other region must be named.
        let body = region == "us-east-1" ? [] : Array(
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>".utf8)
        let response = try send("CreateBucket", .PUT, "/\(bucket)", body: body)
        if response.status == 200 { return }
        let error = Self.error(response)
        if error.code == "BucketAlreadyOwnedByYou" { return }
        throw refused("CreateBucket", "s3://\(bucket)", response, error)
    }

    /// Stores `bytes` whole under `key`; the new entity tag, or nil when `condition` did not hold.
    @discardableResult
    public func putObject(_ bucket: String, key: String, bytes: [UInt8], contentType: String = "application/octet-stream", condition: S3WriteCondition? = nil)
        throws(AWSCallError) -> String?
    {
        var headers: [(name: String, value: String)] = [("Content-Type", contentType)]
        switch condition {
        case .absent?: headers.append(("If-None-Match", "*"))
        case let .unchanged(etag)?: headers.append(("If-Match", etag))
        case nil: break
        }
        let response = try send("PutObject", .PUT, "/\(bucket)/\(key)", headers: headers, body: bytes)
        if response.status == 200 { return response.header("ETag") ?? "" }
        // 412 when the precondition fails; 409 when a conditional write raced another.
        if condition != nil && (response.status == 412 || response.status == 409) { return nil }
        throw refused("PutObject", "s3://\(bucket)/\(key)", response, Self.error(response))
    }

    /// The object at `key`, or nil when there is none.
    public func getObject(_ bucket: String, key: String) throws(AWSCallError) -> S3Object? {
        let response = try send("GetObject", .GET, "/\(bucket)/\(key)", body: [])
        if response.status == 200 { return S3Object(bytes: response.body, etag: response.header("ETag") ?? "") }
        let error = Self.error(response)
        if response.status == 404 && error.code != "NoSuchBucket" { return nil }
        throw refused("GetObject", "s3://\(bucket)/\(key)", response, error)
    }

    public func deleteObject(_ bucket: String, key: String) throws(AWSCallError) {
        let response = try send("DeleteObject", .DELETE, "/\(bucket)/\(key)", body: [])
        guard response.status == 204 || response.status == 200 else {
            throw refused("DeleteObject", "s3://\(bucket)/\(key)", response, Self.error(response))
        }
    }

    /// Every key starting with `prefix`, in S3's order (ascending by UTF-8 bytes), page after page.
    public func listKeys(_ bucket: String, prefix: String = "") throws(AWSCallError) -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query: [(name: String, value: String)] = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let response = try send("ListObjectsV2", .GET, "/\(bucket)", query: query, body: [])
            guard response.status == 200 else {
                throw refused("ListObjectsV2", "s3://\(bucket)/\(prefix)", response, Self.error(response))
            }
            let text = String(decoding: response.body, as: UTF8.self)
            keys += XMLText.values(of: "Key", in: text)
            token = XMLText.values(of: "IsTruncated", in: text).first == "true" ? XMLText.values(of: "NextContinuationToken", in: text).first : nil
        } while token != nil
        return keys
    }

    // MARK: - The wire

    private func send(
        _ action: String, _ method: HTTPMethod, _ path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8]
    ) throws(AWSCallError) -> AWSResponse {
        do {
            return try http.send(method: method, path: path, query: query, headers: headers, body: body)
        } catch {
            throw .noAnswer("S3 \(action) at \(endpoint) got no answer: \(error.reason); \(http.endpointHint)")
        }
    }

    /// `<Error><Code>NoSuchKey</Code><Message>…</Message></Error>`; a HEAD answer or an
    /// empty body has neither.
    static func error(_ response: AWSResponse) -> (code: String, message: String) {
        let text = String(decoding: response.body, as: UTF8.self)
        return (XMLText.values(of: "Code", in: text).first ?? "", XMLText.values(of: "Message", in: text).first ?? AWSErrorAnswer.excerpt(response.body))
    }

    private func refused(_ action: String, _ what: String, _ response: AWSResponse, _ error: (code: String, message: String)) -> AWSCallError {
        let answer = AWSErrorAnswer(status: response.status, errorTypeHeader: error.code, body: [])
        var text = "S3 \(action) of \(what) at \(endpoint) failed with \(error.code.isEmpty ? "HTTP \(response.status)" : error.code): \(error.message)"
        switch error.code {
        case "NoSuchBucket": text += "; create the bucket first, or check its name and AWS_REGION"
        case "AccessDenied": text += "; the credentials need permission for s3:\(action == "ListObjectsV2" ? "ListBucket" : action)"
        case "SignatureDoesNotMatch", "InvalidAccessKeyId": text += "; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        default: break
        }
        return .refused(answer, text)
    }
}

/// Enough XML for S3's answers: the text of every `<name>…</name>` element, entities decoded.
enum XMLText {
    static func values(of name: String, in text: String) -> [String] {
        var values: [String] = []
        let open = "<\(name)>"
        let close = "</\(name)>"
        var rest = text[...]
        while let start = rest.range(of: open) {
            guard let end = rest[start.upperBound...].range(of: close) else { break }
            values.append(decode(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return values
    }

    static func decode(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var output = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            rest = rest[amp...]
            guard let semicolon = rest.firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: rest.startIndex)..<semicolon]
            switch entity {
            case "amp": output += "&"
            case "lt": output += "<"
            case "gt": output += ">"
            case "quot": output += "\""
            case "apos": output += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let number, let scalar = Unicode.Scalar(number) { output.unicodeScalars.append(scalar) } else { output += "&\(entity);" }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return output + rest
    }
}
