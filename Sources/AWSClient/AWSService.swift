/// An AWS service a client talks to: the name it signs for, the variable that moves its
/// endpoint (`AWS_ENDPOINT_URL_S3`), and where it lives on AWS.
public struct AWSService: Sendable, Equatable, CustomStringConvertible {
    /// SigV4's service name and the endpoint's first label: `kinesis`, `s3`, `dynamodb`.
    public let signingName: String
    /// The name people know it by, for messages.
    public let displayName: String

    public static let kinesis = AWSService(signingName: "kinesis", displayName: "Kinesis")
    public static let s3 = AWSService(signingName: "s3", displayName: "S3")
    public static let dynamodb = AWSService(signingName: "dynamodb", displayName: "DynamoDB")

    public init(signingName: String, displayName: String) {
        self.signingName = signingName
        self.displayName = displayName
    }

    /// `AWS_ENDPOINT_URL_KINESIS`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_DYNAMODB`.
    public var endpointVariable: String { "AWS_ENDPOINT_URL_" + signingName.uppercased() }

    /// The service's endpoint in a region (the China regions live under amazonaws.com.cn).
    public func amazonEndpoint(region: String) -> String {
        "https://\(signingName).\(region).amazonaws.com\(region.hasPrefix("cn-") ? ".cn" : "")"
    }

    /// S3 signs the path encoded once; every other service encodes the sent path again.
    public var signsPathEncodedOnce: Bool { signingName == "s3" }

    public var description: String { displayName }
}
