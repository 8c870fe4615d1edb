import AWSClient
import SigV4
import Testing

/// The S3 and DynamoDB clients' requests signed as AWS's published examples are, to the byte.
struct SigningTests {
    static let exampleKeys = AWSCredentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    /// 2013-05-24T00:00:00Z, the date of the S3 examples.
    static let exampleMillis: Int64 = 1_369_353_600_000

    static func s3Example() throws -> AWSHTTPClient {
        // The examples are virtual-hosted: the bucket is in the Host, the path is the key.
        AWSHTTPClient(
            configuration: try AWSConfiguration(credentials: exampleKeys, region: "us-east-1", endpoint: "https://examplebucket.s3.amazonaws.com", service: .s3),
            clock: { exampleMillis })
    }

    static func authorization(_ headers: [(name: String, value: String)]) -> String? {
        headers.first { $0.name == "Authorization" }?.value
    }

    /// S3 API reference, "Signature Calculations for the Authorization Header", Example: GET Object.
    @Test func s3GetObjectExample() throws {
        let client = try Self.s3Example()
        defer { client.shutdown() }
        let request = client.signedRequest(method: .GET, path: "/test.txt", headers: [("Range", "bytes=0-9")], body: [])
        #expect(request.url == "https://examplebucket.s3.amazonaws.com/test.txt")
        #expect(request.headers.map(\.name) == ["Host", "Range", "x-amz-content-sha256", "X-Amz-Date", "Authorization"])
        #expect(request.headers.first { $0.name == "x-amz-content-sha256" }?.value == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            Self.authorization(request.headers)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    /// Example: PUT Object, whose key has a `$` that the path carries encoded once.
    @Test func s3PutObjectExample() throws {
        let client = try Self.s3Example()
        defer { client.shutdown() }
        let request = client.signedRequest(
            method: .PUT, path: "/test$file.text",
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            body: Array("Welcome to Amazon S3.".utf8))
        #expect(request.url == "https://examplebucket.s3.amazonaws.com/test%24file.text")
        #expect(request.headers.first { $0.name == "x-amz-content-sha256" }?.value == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(
            Self.authorization(request.headers)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
        )
    }

    /// Example: GET Bucket (List Objects), with its query sorted and encoded as the URL sends it.
    @Test func s3ListObjectsExample() throws {
        let client = try Self.s3Example()
        defer { client.shutdown() }
        let request = client.signedRequest(method: .GET, path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [], body: [])
        #expect(request.url == "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J")
        #expect(
            Self.authorization(request.headers)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
        )
    }

    /// Path-style, as S3Client sends: the bucket is the first segment, and a key's spaces
    /// and non-ASCII letters are encoded once in the URL and in the signature alike.
    @Test func s3PathStyleKeysAreEncodedOnce() throws {
        let client = AWSHTTPClient(
            configuration: try AWSConfiguration(credentials: Self.exampleKeys, region: "us-east-1", endpoint: "http://127.0.0.1:9000", service: .s3),
            clock: { Self.exampleMillis })
        defer { client.shutdown() }
        let request = client.signedRequest(method: .GET, path: "/history/class 1/é.gz", headers: [], body: [])
        #expect(request.url == "http://127.0.0.1:9000/history/class%201/%C3%A9.gz")
        #expect(request.headers.first?.name == "Host")
        #expect(request.headers.first?.value == "127.0.0.1:9000")
    }

    /// A DynamoDB GetItem as botocore 1.x's SigV4Auth signs it (an independent signer; the
    /// pinned date is 2026-12-02T12:58:29Z): service "dynamodb", JSON 1.0, the target signed.
    @Test func dynamoDBRequestMatchesBotocore() throws {
        let configuration = try AWSConfiguration(
            credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), region: "us-west-2",
            service: .dynamodb)
        let client = DynamoDBClient(configuration: configuration, clock: { 1_796_216_309_000 })
        defer { client.shutdown() }
        #expect(client.endpoint == "https://dynamodb.us-west-2.amazonaws.com")
        let body = Array(#"{"ConsistentRead":true,"Key":{"leaseKey":{"S":"shardId-000000000000"}},"TableName":"race-leases"}"#.utf8)
        let request = client.http.signedRequest(method: .POST, headers: DynamoDBClient.headers(action: "GetItem"), body: body)
        #expect(request.url == "https://dynamodb.us-west-2.amazonaws.com/")
        #expect(request.headers.map(\.name) == ["Host", "Content-Type", "X-Amz-Target", "X-Amz-Date", "Authorization"])
        #expect(request.headers[2].value == "DynamoDB_20120810.GetItem")
        #expect(request.headers[3].value == "20261202T125829Z")
        #expect(
            Self.authorization(request.headers)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-west-2/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=6cf8ef59a9efaef675f46d44fdedb96172fa8118a472b64686bb85378a82750a"
        )
    }

    @Test func eachServiceHasItsEndpointVariable() throws {
        let keys = ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-west-1"]
        let environment = keys.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000/"]) { _, new in new }
        #expect(try AWSConfiguration(environment: environment, service: .s3).endpoint == "http://127.0.0.1:9000")
        #expect(try AWSConfiguration(environment: environment, service: .dynamodb).endpoint == "http://127.0.0.1:5000")
        #expect(try AWSConfiguration(environment: environment, service: .kinesis).endpoint == "http://127.0.0.1:5000")
        #expect(try AWSConfiguration(environment: keys, service: .s3).endpoint == "https://s3.eu-west-1.amazonaws.com")
        #expect(try AWSConfiguration(environment: keys, service: .dynamodb).endpoint == "https://dynamodb.eu-west-1.amazonaws.com")
        #expect(AWSService.dynamodb.endpointVariable == "AWS_ENDPOINT_URL_DYNAMODB")
        #expect(throws: AWSConfigurationError.invalidEndpoint(source: "AWS_ENDPOINT_URL_S3", value: "minio:9000")) {
            try AWSConfiguration(environment: keys.merging(["AWS_ENDPOINT_URL_S3": "minio:9000"]) { _, new in new }, service: .s3)
        }
    }
}
