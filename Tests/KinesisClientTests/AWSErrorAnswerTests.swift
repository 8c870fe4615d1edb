import AWSClient
import StreamReading
import Testing

@testable import KinesisClient

struct AWSErrorAnswerTests {
    static let at = "GetRecords at http://127.0.0.1:4567"

    static func map(_ body: String, status: Int = 400, header: String? = nil) -> SourceError {
        AWSErrorAnswer(status: status, errorTypeHeader: header, body: Array(body.utf8)).sourceError(action: "GetRecords", endpoint: "http://127.0.0.1:4567")
    }

    @Test func expiredIterator() {
        #expect(Self.map(#"{"__type":"ExpiredIteratorException","message":"Iterator expired."}"#)
            == .expiredIterator("\(Self.at) failed with ExpiredIteratorException (HTTP 400): Iterator expired."))
    }

    @Test(arguments: ["ProvisionedThroughputExceededException", "LimitExceededException", "ThrottlingException", "KMSThrottlingException"])
    func throttled(type: String) {
        #expect(Self.map(#"{"__type":"\#(type)","message":"Rate exceeded for shard shardId-000000000000"}"#)
            == .throttled("\(Self.at) failed with \(type) (HTTP 400): Rate exceeded for shard shardId-000000000000"))
    }

    @Test func notFoundWithNamespacedTypeAndCapitalMessage() {
        #expect(Self.map(#"{"__type":"com.amazonaws.kinesis#ResourceNotFoundException","Message":"Stream nope under account 123456789012 not found."}"#)
            == .notFound("\(Self.at) failed with ResourceNotFoundException (HTTP 400): Stream nope under account 123456789012 not found.; check the stream name and the region (AWS_REGION)"))
    }

    @Test func credentialsAndPermissions() {
        #expect(Self.map(#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#)
            == .failure("\(Self.at) failed with UnrecognizedClientException (HTTP 400): The security token included in the request is invalid.; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and that AWS_REGION is the stream's region"))
        #expect(Self.map(#"{"__type":"InvalidSignatureException","message":"Signature expired"}"#, status: 400).message.hasSuffix("and that AWS_REGION is the stream's region"))
        #expect(Self.map(#"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#)
            == .failure("\(Self.at) failed with ExpiredTokenException (HTTP 400): The security token included in the request is expired; the session token has expired: renew the credentials (AWS_SESSION_TOKEN)"))
        #expect(Self.map(#"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::1:user/x is not authorized"}"#, status: 400)
            == .failure("\(Self.at) failed with AccessDeniedException (HTTP 400): User: arn:aws:iam::1:user/x is not authorized; the credentials need permission for kinesis:GetRecords on this stream"))
    }

    @Test func otherTypesAreFailures() {
        #expect(Self.map(#"{"__type":"InvalidArgumentException","message":"StartingSequenceNumber 1 used in GetShardIterator on shard shardId-000000000000 is invalid"}"#)
            == .failure("\(Self.at) failed with InvalidArgumentException (HTTP 400): StartingSequenceNumber 1 used in GetShardIterator on shard shardId-000000000000 is invalid"))
        #expect(Self.map(#"{"__type":"InternalFailure"}"#, status: 500) == .failure("\(Self.at) failed with InternalFailure (HTTP 500): (no message)"))
    }

    @Test func typeFromTheHeaderWhenTheBodyHasNone() {
        #expect(Self.map("", header: "ExpiredIteratorException:http://internal.amazon.com/coral/com.amazonaws.kinesis/")
            == .expiredIterator("\(Self.at) failed with ExpiredIteratorException (HTTP 400): (no message)"))
        #expect(Self.map(#"{"message":"Rate exceeded"}"#, header: "ThrottlingException") == .throttled("\(Self.at) failed with ThrottlingException (HTTP 400): Rate exceeded"))
        #expect(Self.map("<p>Service Unavailable</p>", status: 503, header: "ServiceUnavailableException")
            == .failure("\(Self.at) failed with ServiceUnavailableException (HTTP 503): <p>Service Unavailable</p>"))
        #expect(Self.map("{}", status: 500) == .failure("\(Self.at) answered HTTP 500: {}"))
    }

    @Test func httpErrorsWithoutAType() {
        let html = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
        #expect(Self.map(html, status: 500) == .failure("\(Self.at) answered HTTP 500: <!doctype html> <html lang=en> <title>500 Internal Server Error</title>"))
        #expect(Self.map("", status: 502) == .failure("\(Self.at) answered HTTP 502: (no body)"))
        #expect(Self.map(String(repeating: "x", count: 300), status: 503) == .failure("\(Self.at) answered HTTP 503: \(String(repeating: "x", count: 200))..."))
        // 429 is throttling whoever says it (a proxy, LocalStack).
        #expect(Self.map("Too Many Requests", status: 429) == .throttled("\(Self.at) answered HTTP 429: Too Many Requests"))
    }
}
