import KinesisWire
import StreamReading

/// An answer other than 200 from a Kinesis endpoint: `{"__type": "...", "message": "..."}`
/// (some services write `Message`; the type may carry a namespace,
/// `com.amazonaws.kinesis#ResourceNotFoundException`, or a suffix after `:`), and how a
/// reader should take it.
public struct KinesisErrorAnswer: Sendable, Equatable {
    public let status: Int
    /// The exception's bare name; "" when neither the body nor `X-Amzn-ErrorType` names one.
    public let type: String
    /// The service's message, or the start of a body that is not a JSON error.
    public let message: String

    public static let throttlingTypes: Set<String> = [
        "ProvisionedThroughputExceededException", "LimitExceededException", "ThrottlingException", "KMSThrottlingException",
    ]
    static let credentialTypes: Set<String> = [
        "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException",
        "MissingAuthenticationTokenException", "SignatureDoesNotMatch", "InvalidClientTokenId",
    ]

    public init(status: Int, errorTypeHeader: String? = nil, body: [UInt8]) {
        self.status = status
        var type: String?
        var message: String?
        var isJSON = true
        do throws(WireError) {
            try readAnswer(body) { reader, member in
                switch member {
                case "__type", "code", "Code": type = try reader.optionalString() ?? type
                case "message", "Message": message = try reader.optionalString() ?? message
                default: try reader.skipValue()
                }
            }
        } catch {
            type = nil
            message = nil
            isJSON = false
        }
        self.type = Self.bareName(type ?? errorTypeHeader ?? "")
        // A body that says nothing more than the type is "(no message)"; any other body is shown.
        let bare = !self.type.isEmpty && (isJSON || body.isEmpty)
        self.message = message ?? (bare ? "(no message)" : Self.excerpt(body))
    }

    /// `com.amazonaws.kinesis#ExpiredIteratorException` and
    /// `ExpiredIteratorException:http://internal...` are both `ExpiredIteratorException`.
    static func bareName(_ raw: String) -> String {
        var name = Substring(raw)
        if let hash = name.lastIndex(of: "#") { name = name[name.index(after: hash)...] }
        if let colon = name.firstIndex(of: ":") { name = name[..<colon] }
        return name.trimmingSpaces()
    }

    /// The first 200 bytes of a body, on one line, for a person to read.
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        let line = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        if line.isEmpty { return "(no body)" }
        return body.count > 200 ? line + "..." : line
    }

    /// What a reader does with it: renew the iterator, wait, stop reading the shard, or report.
    public func sourceError(action: String, endpoint: String) -> SourceError {
        let what = "\(action) at \(endpoint)"
        guard !type.isEmpty else {
            let text = "\(what) answered HTTP \(status): \(message)"
            return status == 429 ? .throttled(text) : .failure(text)
        }
        let text = "\(what) failed with \(type) (HTTP \(status)): \(message)"
        if type == "ExpiredIteratorException" { return .expiredIterator(text) }
        if Self.throttlingTypes.contains(type) || status == 429 { return .throttled(text) }
        if type == "ResourceNotFoundException" { return .notFound(text + "; check the stream name and the region (AWS_REGION)") }
        if Self.credentialTypes.contains(type) {
            return .failure(text + "; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and that AWS_REGION is the stream's region")
        }
        if type == "ExpiredTokenException" {
            return .failure(text + "; the session token has expired: renew the credentials (AWS_SESSION_TOKEN)")
        }
        if type == "AccessDeniedException" {
            return .failure(text + "; the credentials need permission for kinesis:\(action) on this stream")
        }
        return .failure(text)
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
