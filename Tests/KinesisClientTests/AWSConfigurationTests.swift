import AWSClient
import SigV4
import Testing

@testable import KinesisClient

struct AWSConfigurationTests {
    static let keys = ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret"]

    static func configuration(_ extra: [String: String]) throws -> AWSConfiguration {
        try AWSConfiguration(environment: keys.merging(extra) { _, new in new })
    }

    @Test func defaultsAreAmazonKinesisInUSEast1() throws {
        let configuration = try Self.configuration([:])
        #expect(configuration.credentials == AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: nil))
        #expect(configuration.region == "us-east-1")
        #expect(configuration.endpoint == "https://kinesis.us-east-1.amazonaws.com")
    }

    @Test func sessionTokenIsRead() throws {
        #expect(try Self.configuration(["AWS_SESSION_TOKEN": "token"]).credentials.sessionToken == "token")
        #expect(try Self.configuration(["AWS_SESSION_TOKEN": ""]).credentials.sessionToken == nil)
    }

    @Test func regionPrecedence() throws {
        #expect(try Self.configuration(["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "ap-south-1"]).region == "eu-west-1")
        #expect(try Self.configuration(["AWS_DEFAULT_REGION": "ap-south-1"]).region == "ap-south-1")
        #expect(try Self.configuration(["AWS_REGION": "", "AWS_DEFAULT_REGION": "ap-south-1"]).region == "ap-south-1")
        #expect(try Self.configuration(["AWS_REGION": "eu-west-1"]).endpoint == "https://kinesis.eu-west-1.amazonaws.com")
        #expect(try Self.configuration(["AWS_REGION": "cn-north-1"]).endpoint == "https://kinesis.cn-north-1.amazonaws.com.cn")
    }

    @Test func endpointPrecedence() throws {
        let both = ["AWS_ENDPOINT_URL_KINESIS": "http://127.0.0.1:4567/", "AWS_ENDPOINT_URL": "http://localhost:4566"]
        #expect(try Self.configuration(both).endpoint == "http://127.0.0.1:4567")
        #expect(try Self.configuration(["AWS_ENDPOINT_URL": "http://localhost:4566"]).endpoint == "http://localhost:4566")
        #expect(try Self.configuration(["AWS_ENDPOINT_URL_KINESIS": "", "AWS_ENDPOINT_URL": "http://localhost:4566"]).endpoint == "http://localhost:4566")
        let ignored = try Self.configuration(both.merging(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_REGION": "eu-west-1"]) { _, new in new })
        #expect(ignored.endpoint == "https://kinesis.eu-west-1.amazonaws.com")
    }

    @Test func missingCredentialsSayWhatToSet() {
        #expect(throws: AWSConfigurationError.missingCredentials(unset: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])) {
            try AWSConfiguration(environment: ["AWS_REGION": "eu-west-1"])
        }
        #expect(
            AWSConfigurationError.missingCredentials(unset: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]).message
                == "AWS credentials are not set: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (and AWS_SESSION_TOKEN for temporary credentials)")
        #expect(throws: AWSConfigurationError.missingCredentials(unset: ["AWS_SECRET_ACCESS_KEY"])) {
            try AWSConfiguration(environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": ""])
        }
        #expect(
            AWSConfigurationError.missingCredentials(unset: ["AWS_SECRET_ACCESS_KEY"]).message
                == "AWS credentials are incomplete: AWS_SECRET_ACCESS_KEY is not set; set it alongside AWS_ACCESS_KEY_ID")
        #expect(
            AWSConfigurationError.missingCredentials(unset: ["AWS_ACCESS_KEY_ID"]).message
                == "AWS credentials are incomplete: AWS_ACCESS_KEY_ID is not set; set it alongside AWS_SECRET_ACCESS_KEY")
    }

    @Test func endpointWithoutSchemeIsRefused() {
        #expect(throws: AWSConfigurationError.invalidEndpoint(source: "AWS_ENDPOINT_URL_KINESIS", value: "localhost:4567")) {
            try Self.configuration(["AWS_ENDPOINT_URL_KINESIS": "localhost:4567"])
        }
        #expect(
            AWSConfigurationError.invalidEndpoint(source: "AWS_ENDPOINT_URL_KINESIS", value: "localhost:4567").message
                == "AWS_ENDPOINT_URL_KINESIS is 'localhost:4567', which is not an http:// or https:// URL with a host: write it like http://localhost:4566 or https://kinesis.us-east-1.amazonaws.com")
        #expect(throws: AWSConfigurationError.invalidEndpoint(source: "the endpoint", value: "http://")) {
            try AWSConfiguration(credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b"), endpoint: "http://")
        }
    }

    @Test func processEnvironmentIsRead() {
        #expect(AWSConfiguration.processEnvironment()["PATH"]?.isEmpty == false)
    }
}
