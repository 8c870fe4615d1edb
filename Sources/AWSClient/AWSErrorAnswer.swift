import KinesisWire

/// An answer other than 2xx from an AWS JSON endpoint (Kinesis, DynamoDB): `{"__type": "...", "message": "..."}`
/// (some services write `Message`; the type may carry a namespace,
/// `com.amazonaws.kinesis#ResourceNotFoundException`, or a suffix after `:`), and how a
/// reader should take it.
public struct AWSErrorAnswer: Sendable, Equatable {
    public let status: Int
    /// The exception's bare name; "" when neither the body nor `X-Amzn-ErrorType` names one.
    public let type: String
    /// The service's message, or the start of a body that is not a JSON error.
    public let message: String

    public static let throttlingTypes: Set<String> = [
        "ProvisionedThroughputExceededException", "LimitExceededException", "ThrottlingException", "KMSThrottlingException",
    ]
    public static let credentialTypes: Set<String> = [
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
    public static func bareName(_ raw: String) -> String {
        var name = Substring(raw)
        if let hash = name.lastIndex(of: "#") { name = name[name.index(after: hash)...] }
        if let colon = name.firstIndex(of: ":") { name = name[..<colon] }
        return name.trimmingSpaces()
    }

    /// The first 200 bytes of a body, on one line, for a person to read.
    public static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        let line = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        if line.isEmpty { return "(no body)" }
        return body.count > 200 ? line + "..." : line
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
