import Crypto

/// Why a signed request is refused, in the two kinds AWS answers with: a signature that
/// lacks a part (`IncompleteSignatureException`) and one that does not check out, is
/// out of date or is scoped wrongly (`InvalidSignatureException`). Messages are worded
/// as AWS words them.
public enum SigV4Failure: Error, Sendable, Equatable, CustomStringConvertible {
    case incomplete(String)
    case invalid(String)

    public var message: String {
        switch self {
        case let .incomplete(message), let .invalid(message): message
        }
    }

    public var description: String { message }

    /// AWS's words for a signature that does not match.
    public static let mismatch = SigV4Failure.invalid(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
}

/// An `Authorization: AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/<service>/aws4_request,
/// SignedHeaders=<names>, Signature=<hex>` header, parsed.
public struct SigV4Authorization: Sendable, Equatable {
    public let accessKeyId: String
    public let dateStamp: String
    public let region: String
    public let service: String
    public let signedHeaders: [String]
    public let signature: String

    public init(_ header: String) throws(SigV4Failure) {
        guard header.hasPrefix(SigV4Signer.algorithm + " ") else {
            let algorithm = header.prefix { $0 != " " }
            throw .incomplete("Unsupported AWS 'algorithm': '\(algorithm)': sign with \(SigV4Signer.algorithm)")
        }
        var parameters: [Substring: Substring] = [:]
        for part in header.dropFirst(SigV4Signer.algorithm.count + 1).split(separator: ",") {
            let part = part.drop { $0 == " " }
            guard let equals = part.firstIndex(of: "=") else { continue }
            parameters[part[..<equals]] = part[part.index(after: equals)...].prefix { $0 != " " }
        }
        let missing = ["Credential", "Signature", "SignedHeaders"].filter { (parameters[Substring($0)] ?? "").isEmpty }
        guard missing.isEmpty, let credential = parameters["Credential"], let signature = parameters["Signature"],
            let signedHeaders = parameters["SignedHeaders"]
        else {
            throw .incomplete(missing.map { "Authorization header requires '\($0)' parameter. " }.joined() + "Authorization=\(header)")
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard scope.count == 5, !scope[0].isEmpty else {
            throw .incomplete("Credential should be of the form <access key id>/<yyyyMMdd>/<region>/<service>/aws4_request, not '\(credential)'. ")
        }
        guard scope[4] == "aws4_request" else {
            throw .incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '\(scope[4])'. ")
        }
        guard !scope[2].isEmpty else { throw .incomplete("Credential should be scoped to a valid region, not ''. ") }
        accessKeyId = String(scope[0])
        dateStamp = String(scope[1])
        region = String(scope[2])
        service = String(scope[3])
        self.signedHeaders = signedHeaders.split(separator: ";").map { String($0) }
        self.signature = String(signature)
    }
}

/// Checks a SigV4-signed request as AWS does: the date header within 15 minutes of the
/// receiver's clock, the credential scope's date and service, `host` among the signed
/// headers, and the signature recomputed from the request as received (method, path,
/// query, the signed headers and the SHA-256 of the body) with the key's secret.
public struct SigV4Verifier: Sendable {
    /// How far a request's `X-Amz-Date` may be from the receiver's clock, either way.
    public static let allowedSkewSeconds: Int64 = 15 * 60

    /// The service a credential must be scoped to (`kinesis`).
    public let service: String

    public init(service: String) {
        self.service = service
    }

    /// A request as received: `path` and `query` as they came on the request line (still
    /// percent-encoded, the query without its `?`), `headers` every header by name, `Host`
    /// among them.
    public struct Request {
        public var method: String
        public var path: String
        public var query: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: [UInt8]) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }
    }

    /// Throws unless `request` was signed with `secret` under `authorization` no more than
    /// 15 minutes from `nowSeconds` (seconds since 1970).
    public func verify(_ request: Request, authorization: SigV4Authorization, secret: String, nowSeconds: Int64) throws(SigV4Failure) {
        let dates = request.headers.filter { $0.name.lowercased() == "x-amz-date" }
        guard let dateText = dates.first?.value else {
            throw .incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. (Only X-Amz-Date is read here: every AWS SDK sends it.)")
        }
        guard let requestSeconds = AmzDate.epochSeconds(dateText) else {
            throw .incomplete("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\", not '\(dateText)'")
        }
        let now = AmzDate(epochSeconds: nowSeconds)
        if requestSeconds < nowSeconds - Self.allowedSkewSeconds {
            throw .invalid("Signature expired: \(dateText) is now earlier than \(AmzDate(epochSeconds: nowSeconds - Self.allowedSkewSeconds)) (\(now) - 15 min.)")
        }
        if requestSeconds > nowSeconds + Self.allowedSkewSeconds {
            throw .invalid("Signature not yet current: \(dateText) is still later than \(AmzDate(epochSeconds: nowSeconds + Self.allowedSkewSeconds)) (\(now) + 15 min.)")
        }
        let date = AmzDate(epochSeconds: requestSeconds)
        guard authorization.dateStamp == date.dateStamp else {
            throw .invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(authorization.dateStamp)' != '\(date.dateStamp)', from '\(dateText)'.")
        }
        guard authorization.service == service else {
            throw .invalid("Credential should be scoped to correct service: '\(service)'. ")
        }
        let signedNames = Set(authorization.signedHeaders)
        guard signedNames.contains("host") else {
            throw .invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        }
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: authorization.accessKeyId, secretAccessKey: secret),
            region: authorization.region, service: authorization.service)
        let canonical = signer.canonicalRequest(
            method: request.method, path: Self.percentDecoded(request.path), query: Self.queryPairs(request.query),
            headers: request.headers.filter { signedNames.contains($0.name.lowercased()) },
            payloadHash: SigV4Signer.hexSHA256(request.body))
        let expected = signer.signature(stringToSign: signer.stringToSign(canonicalRequest: canonical, date: date), date: date)
        guard Self.constantTimeEqual(Array(expected.utf8), Array(authorization.signature.utf8)) else { throw SigV4Failure.mismatch }
    }

    /// `a=1&b=%20` as name and value pairs, percent-decoded (the signer encodes them again).
    static func queryPairs(_ query: String) -> [(name: String, value: String)] {
        query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecoded(String(parts[0])), parts.count > 1 ? percentDecoded(String(parts[1])) : "")
        }
    }

    /// `%XX` escapes replaced by their bytes; a `%` without two hex digits stays as it is.
    static func percentDecoded(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
                let low = hexValue(bytes[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Equal bytes, in time that depends only on the lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

extension AmzDate {
    /// Seconds since 1970 of `20150830T123600Z`, nil when the text is not of that form.
    public static func epochSeconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
            let minute = number(11..<13), let second = number(13..<15), (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        // Days since 1970-01-01 from a civil date (Howard Hinnant's algorithm), the inverse of AmzDate(epochSeconds:).
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        // 20150231 is not a day: it must read back as the same text.
        return AmzDate(epochSeconds: seconds).text == text ? seconds : nil
    }
}
