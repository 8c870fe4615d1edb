import Crypto

/// The keys a request is signed with: an access key, its secret, and the session token
/// that temporary credentials (STS, SSO, instance roles) come with.
public struct AWSCredentials: Sendable, Equatable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// A request time as SigV4 writes it, `20150830T123600Z` (UTC); its first eight
/// characters date the signing key and the credential scope.
public struct AmzDate: Sendable, Equatable, CustomStringConvertible {
    public let text: String

    public init(epochSeconds: Int64) {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let second = epochSeconds - days * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm), so no calendar library is needed.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func digits(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        text = digits(year, 4) + digits(month, 2) + digits(day, 2) + "T"
            + digits(second / 3600, 2) + digits(second / 60 % 60, 2) + digits(second % 60, 2) + "Z"
    }

    /// `20150830`: the date part, as the credential scope names it.
    public var dateStamp: String { String(text.prefix(8)) }

    public var description: String { text }
}

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for requests to one service in one
/// region, as AWS documents it and botocore does it: the headers a request must carry
/// to be accepted (`X-Amz-Date`, `X-Amz-Security-Token` with temporary credentials,
/// and `Authorization`). Kinesis does not want `X-Amz-Content-Sha256` (only S3 does).
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"

    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to the request, in this order: `X-Amz-Date`, then
    /// `X-Amz-Security-Token` when the credentials have a session token, then
    /// `Authorization`. `headers` are all the headers to sign, `Host` among them; the
    /// date and token headers are signed too. `path` is the path before percent-encoding
    /// (the signer encodes it once, as the AWS test suite does); `query` likewise.
    public func sign(
        method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)],
        body: [UInt8], date: AmzDate
    ) -> [(name: String, value: String)] {
        let replaced: Set<String> = ["x-amz-date", "x-amz-security-token", "authorization"]
        var added: [(name: String, value: String)] = [("X-Amz-Date", date.text)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        let signed = headers.filter { !replaced.contains($0.name.lowercased()) } + added
        let canonical = canonicalRequest(method: method, path: path, query: query, headers: signed, payloadHash: Self.hexSHA256(body))
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical, date: date), date: date)
        added.append(
            ("Authorization", "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope(date)), SignedHeaders=\(Self.canonicalHeaders(signed).names), Signature=\(signature)"))
        return added
    }

    // MARK: - The steps, public so a test (or a server checking signatures) can see each one

    /// `20150830/us-east-1/service/aws4_request`
    public func scope(_ date: AmzDate) -> String {
        "\(date.dateStamp)/\(region)/\(service)/aws4_request"
    }

    /// Method, encoded path, sorted encoded query, lowercase sorted headers with trimmed
    /// values, the signed header names, and the hex SHA-256 of the body; one per line.
    public func canonicalRequest(
        method: String, path: String, query: [(name: String, value: String)], headers: [(name: String, value: String)], payloadHash: String
    ) -> String {
        let headers = Self.canonicalHeaders(headers)
        return [method.uppercased(), Self.canonicalPath(path), Self.canonicalQuery(query), headers.block, headers.names, payloadHash]
            .joined(separator: "\n")
    }

    public func stringToSign(canonicalRequest: String, date: AmzDate) -> String {
        [Self.algorithm, date.text, scope(date), Self.hexSHA256(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// The hex HMAC of `stringToSign` under the key derived from the secret, date, region and service.
    public func signature(stringToSign: String, date: AmzDate) -> String {
        var key = Array("AWS4\(credentials.secretAccessKey)".utf8)
        for part in [date.dateStamp, region, service, "aws4_request"] {
            key = Self.hmac(key, part)
        }
        return Self.hex(Self.hmac(key, stringToSign))
    }

    /// Each segment percent-encoded, `/` kept; an empty path is `/`.
    public static func canonicalPath(_ path: String) -> String {
        path.isEmpty ? "/" : uriEncode(path, keepSlash: true)
    }

    /// `name=value` pairs, each side percent-encoded, sorted by name then value.
    public static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (uriEncode($0.name, keepSlash: false), uriEncode($0.value, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// The header block (`name:value\n` per name, repeated names joined by commas) and
    /// the signed header list (`host;x-amz-date`).
    public static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, names: String) {
        var values: [String: [String]] = [:]
        for header in headers {
            values[header.name.lowercased(), default: []].append(trimmed(header.value))
        }
        let names = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let block = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// Leading and trailing whitespace removed, inner runs made one space (botocore's rule).
    static func trimmed(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            .joined(separator: " ")
    }

    /// RFC 3986 encoding: unreserved characters stay, every other UTF-8 byte is `%XX`.
    static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                output.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(upperHex[Int(byte >> 4)])
                output.append(upperHex[Int(byte & 0xF)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    public static func hexSHA256(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes).withUnsafeBytes { Array($0) })
    }

    private static func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
        HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)).withUnsafeBytes { Array($0) }
    }

    private static let lowerHex: [UInt8] = Array("0123456789abcdef".utf8)
    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    private static func hex(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(lowerHex[Int(byte >> 4)])
            output.append(lowerHex[Int(byte & 0xF)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
