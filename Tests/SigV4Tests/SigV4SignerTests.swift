import Foundation
import Testing

@testable import SigV4

/// The AWS SigV4 test suite's requests (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html):
/// its example keys, us-east-1, service "service", 2015-08-30T12:36:00Z.
struct SigV4SignerTests {
    static let suiteSigner = SigV4Signer(
        credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    static let suiteDate = AmzDate(epochSeconds: 1_440_938_160)
    static let host = ("Host", "example.amazonaws.com")

    static func authorization(signedHeaders: String, signature: String) -> String {
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    @Test func amzDateIsUTCBasicFormat() {
        #expect(Self.suiteDate.text == "20150830T123600Z")
        #expect(Self.suiteDate.dateStamp == "20150830")
        #expect(AmzDate(epochSeconds: 0).text == "19700101T000000Z")
        #expect(AmzDate(epochSeconds: 951_782_399).text == "20000228T235959Z")
        #expect(AmzDate(epochSeconds: 951_782_400).text == "20000229T000000Z")
        #expect(AmzDate(epochSeconds: 1_796_120_695).text == "20261201T102455Z")
        #expect(AmzDate(epochSeconds: -1).text == "19691231T235959Z")
    }

    @Test(arguments: [
        // (suite case, method, path, query, signature)
        ("get-vanilla", "GET", "/", [(String, String)](), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("get-vanilla-query-order-key-case", "GET", "/", [("Param2", "value2"), ("Param1", "value1")],
         "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        ("get-utf8", "GET", "/ሴ", [], "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        ("get-space", "GET", "/example space/", [], "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        ("post-vanilla", "POST", "/", [], "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ])
    func suiteVectorWithoutBody(name: String, method: String, path: String, query: [(String, String)], signature: String) {
        let added = Self.suiteSigner.sign(
            method: method, path: path, query: query.map { (name: $0.0, value: $0.1) }, headers: [Self.host], body: [], date: Self.suiteDate)
        #expect(added.map(\.name) == ["X-Amz-Date", "Authorization"], "\(name)")
        #expect(added[0].value == "20150830T123600Z", "\(name)")
        #expect(added[1].value == Self.authorization(signedHeaders: "host;x-amz-date", signature: signature), "\(name)")
    }

    @Test func postXWWWFormURLEncodedEveryStep() {
        let signer = Self.suiteSigner
        let body = Array("Param1=value1".utf8)
        let headers: [(name: String, value: String)] = [("Content-Type", "application/x-www-form-urlencoded"), Self.host, ("X-Amz-Date", "20150830T123600Z")]
        let payloadHash = SigV4Signer.hexSHA256(body)
        #expect(payloadHash == "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")
        let canonical = signer.canonicalRequest(method: "POST", path: "/", query: [], headers: headers, payloadHash: payloadHash)
        #expect(canonical == """
            POST
            /

            content-type:application/x-www-form-urlencoded
            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            content-type;host;x-amz-date
            9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e
            """)
        let stringToSign = signer.stringToSign(canonicalRequest: canonical, date: Self.suiteDate)
        #expect(stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281
            """)
        #expect(signer.signature(stringToSign: stringToSign, date: Self.suiteDate) == "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")

        let added = signer.sign(method: "POST", path: "/", headers: Array(headers.prefix(2)), body: body, date: Self.suiteDate)
        #expect(added.last?.value == Self.authorization(
            signedHeaders: "content-type;host;x-amz-date", signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"))
    }

    @Test func canonicalPiecesFollowTheRules() {
        #expect(SigV4Signer.canonicalPath("") == "/")
        #expect(SigV4Signer.canonicalPath("/a b/ü~-_.*") == "/a%20b/%C3%BC~-_.%2A")
        #expect(SigV4Signer.canonicalQuery([("b", "2"), ("a", "z y"), ("A", "0"), ("a", "x/y")]) == "A=0&a=x%2Fy&a=z%20y&b=2")
        let headers = SigV4Signer.canonicalHeaders([("My-Header", "  a   b\tc  "), ("host", "h"), ("my-header", "second")])
        #expect(headers.block == "host:h\nmy-header:a b c,second\n")
        #expect(headers.names == "host;my-header")
    }

    @Test func sessionTokenIsSentAndSigned() {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token/with+chars="),
            region: "us-east-1", service: "service")
        let added = signer.sign(method: "GET", path: "/", headers: [Self.host, ("x-amz-date", "stale")], body: [], date: Self.suiteDate)
        #expect(added.map(\.name) == ["X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
        #expect(added[1].value == "token/with+chars=")
        #expect(added[2].value.contains("SignedHeaders=host;x-amz-date;x-amz-security-token, Signature="))
    }

    // MARK: - botocore

    /// Kinesis-shaped requests, signed here and by botocore's SigV4Auth: the headers must be byte-identical.
    @Test(arguments: [
        BotocoreCase(
            url: "https://kinesis.eu-west-1.amazonaws.com/", host: "kinesis.eu-west-1.amazonaws.com", path: "/", query: [],
            headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "Kinesis_20131202.GetRecords")],
            body: #"{"ShardIterator":"AAAAAAAAAAE+/w==","Limit":10000}"#, region: "eu-west-1", service: "kinesis",
            sessionToken: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==", epochSeconds: 1_796_120_695),
        BotocoreCase(
            url: "http://127.0.0.1:4567/", host: "127.0.0.1:4567", path: "/", query: [("b", "x y/z"), ("a", "ü"), ("A", "1")],
            headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Custom", "  spaced   out  "), ("X-Amz-Target", "Kinesis_20131202.ListShards")],
            body: #"{"StreamName":"alleycat"}"#, region: "us-east-1", service: "kinesis", sessionToken: nil, epochSeconds: 1_440_938_160),
        BotocoreCase(
            url: "https://example.amazonaws.com/", host: "example.amazonaws.com", path: "/", query: [], headers: [], body: "",
            region: "us-east-1", service: "service", sessionToken: nil, epochSeconds: 1_440_938_160),
    ])
    func matchesBotocore(_ example: BotocoreCase) throws {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: example.sessionToken),
            region: example.region, service: example.service)
        let ours = signer.sign(
            method: "POST", path: example.path, query: example.query.map { (name: $0.0, value: $0.1) },
            headers: [("Host", example.host)] + example.headers.map { (name: $0.0, value: $0.1) }, body: Array(example.body.utf8),
            date: AmzDate(epochSeconds: example.epochSeconds))
        let theirs = try Botocore.sign(example)
        #expect(ours.first { $0.name == "Authorization" }?.value == theirs["Authorization"])
        #expect(ours.first { $0.name == "X-Amz-Date" }?.value == theirs["X-Amz-Date"])
        #expect(ours.first { $0.name == "X-Amz-Security-Token" }?.value == theirs["X-Amz-Security-Token"])
    }
}

struct BotocoreCase: Sendable, CustomTestStringConvertible {
    var url: String
    var host: String
    var path: String
    var query: [(String, String)]
    var headers: [(String, String)]
    var body: String
    var region: String
    var service: String
    var sessionToken: String?
    var epochSeconds: Int64

    var testDescription: String { "\(service) at \(url)" }
}

/// Signs with botocore in a python3 child, as the AWS CLI and boto3 would.
enum Botocore {
    static let script = """
        import sys, json, datetime
        from unittest import mock
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        case = json.load(sys.stdin)
        request = AWSRequest(method="POST", url=case["url"], data=case["body"].encode(), headers=case["headers"], params=case["query"])
        credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", case["sessionToken"])
        when = datetime.datetime.fromtimestamp(case["epochSeconds"], datetime.timezone.utc).replace(tzinfo=None)
        with mock.patch("botocore.auth.get_current_datetime", return_value=when):
            SigV4Auth(credentials, case["service"], case["region"]).add_auth(request)
        json.dump(dict(request.headers.items()), sys.stdout)
        """

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    static func sign(_ example: BotocoreCase) throws -> [String: String] {
        var headers: [String: String] = ["Host": example.host]
        for (name, value) in example.headers { headers[name] = value }
        let input: [String: Any] = [
            "url": example.url, "headers": headers, "query": Dictionary(uniqueKeysWithValues: example.query),
            "body": example.body, "region": example.region, "service": example.service,
            "sessionToken": example.sessionToken as Any? ?? NSNull(), "epochSeconds": example.epochSeconds,
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let signed = try JSONSerialization.jsonObject(with: output) as? [String: String] else {
            throw Unavailable(description: "python3 with botocore could not sign (exit \(process.terminationStatus)): \(errors.suffix(600)); install it with 'pip install botocore'")
        }
        return signed
    }
}
