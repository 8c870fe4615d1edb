import SigV4
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Where a client of one AWS service connects and with which keys, read from the
/// environment as the AWS SDKs read it: credentials from `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`; the region from `AWS_REGION`, else
/// `AWS_DEFAULT_REGION`, else us-east-1; the endpoint from the service's own variable
/// (`AWS_ENDPOINT_URL_KINESIS`, `_S3`, `_DYNAMODB`), else `AWS_ENDPOINT_URL`, else the
/// service in the region on AWS (both ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`
/// is true). Unset and empty variables are alike.
public struct AWSConfiguration: Sendable, Equatable {
    public var credentials: AWSCredentials
    public var region: String
    /// `scheme://host[:port][/path]`, without a trailing slash.
    public var endpoint: String

    public var service: AWSService

    public static let defaultRegion = "us-east-1"

    /// `endpoint` nil means the service in `region` on AWS.
    public init(
        credentials: AWSCredentials, region: String = Self.defaultRegion, endpoint: String? = nil, service: AWSService = .kinesis
    ) throws(AWSConfigurationError) {
        self.credentials = credentials
        self.region = region
        self.service = service
        if let endpoint {
            self.endpoint = try Self.checkedEndpoint(endpoint, source: "the endpoint")
        } else {
            self.endpoint = service.amazonEndpoint(region: region)
        }
    }

    public init(environment: [String: String], service: AWSService = .kinesis) throws(AWSConfigurationError) {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        let accessKey = value("AWS_ACCESS_KEY_ID")
        let secretKey = value("AWS_SECRET_ACCESS_KEY")
        guard let accessKey, let secretKey else {
            throw .missingCredentials(unset: [accessKey == nil ? "AWS_ACCESS_KEY_ID" : nil, secretKey == nil ? "AWS_SECRET_ACCESS_KEY" : nil].compactMap { $0 })
        }
        let credentials = AWSCredentials(accessKeyId: accessKey, secretAccessKey: secretKey, sessionToken: value("AWS_SESSION_TOKEN"))
        let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? Self.defaultRegion
        var endpoint: String?
        if value("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.lowercased() != "true" {
            for name in [service.endpointVariable, "AWS_ENDPOINT_URL"] {
                if let url = value(name) {
                    endpoint = try Self.checkedEndpoint(url, source: name)
                    break
                }
            }
        }
        self.credentials = credentials
        self.region = region
        self.service = service
        self.endpoint = endpoint ?? service.amazonEndpoint(region: region)
    }

    /// This process's environment, to pass to `init(environment:)`.
    public static func processEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return environment
    }

    private static func checkedEndpoint(_ url: String, source: String) throws(AWSConfigurationError) -> String {
        var trimmed = Substring(url)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let lowered = trimmed.lowercased()
        guard let scheme = ["http://", "https://"].first(where: { lowered.hasPrefix($0) }) else {
            throw .invalidEndpoint(source: source, value: url)
        }
        let authority = trimmed.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !trimmed.contains("?"), !trimmed.contains("#"), !trimmed.contains(" ") else {
            throw .invalidEndpoint(source: source, value: url)
        }
        return String(trimmed)
    }
}

/// A configuration that cannot make a client, with what to set instead.
public enum AWSConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The credential variables that are unset or empty.
    case missingCredentials(unset: [String])
    /// `source` is the variable (or "the endpoint") that held `value`.
    case invalidEndpoint(source: String, value: String)

    public var message: String {
        switch self {
        case let .missingCredentials(unset) where unset.count == 1:
            let other = unset[0] == "AWS_ACCESS_KEY_ID" ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID"
            return "AWS credentials are incomplete: \(unset[0]) is not set; set it alongside \(other)"
        case .missingCredentials:
            return "AWS credentials are not set: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (and AWS_SESSION_TOKEN for temporary credentials)"
        case let .invalidEndpoint(source, value):
            return "\(source) is '\(value)', which is not an http:// or https:// URL with a host: write it like http://localhost:4566 or https://kinesis.us-east-1.amazonaws.com"
        }
    }

    public var description: String { message }
}
