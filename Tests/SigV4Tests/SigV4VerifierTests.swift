import Testing

@testable import SigV4

/// The receiving side of SigV4: requests signed by `SigV4Signer` as an SDK signs them,
/// then checked as received, untouched and tampered with.
struct SigV4VerifierTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyId: "ACKEY", secretAccessKey: secret), region: "eu-west-1", service: "kinesis")
    /// 2026-12-01T18:00:00Z.
    static let now: Int64 = 1_796_148_000
    static let verifier = SigV4Verifier(service: "kinesis")
    static let body = Array(#"{"StreamName":"alleycat","Data":"aGk=","PartitionKey":"a"}"#.utf8)

    /// A PutRecord as botocore sends it, signed at `signedAt`, with the headers it signs.
    static func signed(at signedAt: Int64 = now, body: [UInt8] = body, signer: SigV4Signer = signer) -> (SigV4Verifier.Request, SigV4Authorization) {
        let headers: [(name: String, value: String)] = [
            ("Host", "127.0.0.1:8080"), ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "Kinesis_20131202.PutRecord"),
        ]
        let added = signer.sign(method: "POST", path: "/", headers: headers, body: body, date: AmzDate(epochSeconds: signedAt))
        let all = headers + added.filter { $0.name != "Authorization" } + [("User-Agent", "Boto3/1.43.11")]
        let authorization = try! SigV4Authorization(added.first { $0.name == "Authorization" }!.value)
        return (SigV4Verifier.Request(method: "POST", path: "/", headers: all, body: body), authorization)
    }

    func verify(_ request: SigV4Verifier.Request, _ authorization: SigV4Authorization, secret: String = secret) throws(SigV4Failure) {
        try Self.verifier.verify(request, authorization: authorization, secret: secret, nowSeconds: Self.now)
    }

    @Test func aRequestAsSignedChecksOut() throws {
        let (request, authorization) = Self.signed()
        #expect(authorization == (try SigV4Authorization(
            "AWS4-HMAC-SHA256 Credential=ACKEY/20261201/eu-west-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=\(authorization.signature)")))
        #expect(authorization.signedHeaders == ["content-type", "host", "x-amz-date", "x-amz-target"])
        try verify(request, authorization)
        // Header names arrive in any case; a header that was not signed may change.
        var relabelled = request
        relabelled.headers = request.headers.map { ($0.name.uppercased(), $0.value) }
        relabelled.headers[relabelled.headers.count - 1].value = "curl/8"
        try verify(relabelled, authorization)
        // At the edges of the 15 minutes either way.
        try verify(Self.signed(at: Self.now - 900).0, Self.signed(at: Self.now - 900).1)
        try verify(Self.signed(at: Self.now + 900).0, Self.signed(at: Self.now + 900).1)
    }

    @Test func aWrongSecretOrAChangedRequestDoesNotMatch() {
        let (request, authorization) = Self.signed()
        #expect(throws: SigV4Failure.mismatch) { try verify(request, authorization, secret: "another-secret") }
        var changedBody = request
        changedBody.body[changedBody.body.count - 3] = UInt8(ascii: "b")
        #expect(throws: SigV4Failure.mismatch) { try verify(changedBody, authorization) }
        var changedTarget = request
        changedTarget.headers[2].value = "Kinesis_20131202.DeleteStream"
        #expect(throws: SigV4Failure.mismatch) { try verify(changedTarget, authorization) }
        var changedPath = request
        changedPath.path = "/other"
        #expect(throws: SigV4Failure.mismatch) { try verify(changedPath, authorization) }
        var droppedHeader = request
        droppedHeader.headers.remove(at: 1)
        #expect(throws: SigV4Failure.mismatch) { try verify(droppedHeader, authorization) }
        // Another region's signing key gives another signature.
        let otherRegion = try! SigV4Authorization(
            "AWS4-HMAC-SHA256 Credential=ACKEY/20261201/us-east-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=\(authorization.signature)")
        #expect(throws: SigV4Failure.mismatch) { try verify(request, otherRegion) }
        #expect(SigV4Failure.mismatch.message == "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
    }

    @Test func aRequestOutsideFifteenMinutesIsRefused() {
        let (old, oldAuthorization) = Self.signed(at: Self.now - 20 * 60)
        #expect(throws: SigV4Failure.invalid("Signature expired: 20261201T174000Z is now earlier than 20261201T174500Z (20261201T180000Z - 15 min.)")) {
            try verify(old, oldAuthorization)
        }
        let (early, earlyAuthorization) = Self.signed(at: Self.now + 901)
        #expect(throws: SigV4Failure.invalid("Signature not yet current: 20261201T181501Z is still later than 20261201T181500Z (20261201T180000Z + 15 min.)")) {
            try verify(early, earlyAuthorization)
        }
    }

    @Test func theScopeAndTheDateHeaderAreChecked() {
        let (request, authorization) = Self.signed()
        var noDate = request
        noDate.headers.removeAll { $0.name == "X-Amz-Date" }
        #expect(throws: SigV4Failure.incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. (Only X-Amz-Date is read here: every AWS SDK sends it.)")) {
            try verify(noDate, authorization)
        }
        var badDate = request
        badDate.headers = badDate.headers.map { $0.name == "X-Amz-Date" ? ($0.name, "20261231T250000Z") : $0 }
        #expect(throws: SigV4Failure.incomplete("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\", not '20261231T250000Z'")) {
            try verify(badDate, authorization)
        }
        let yesterday = try! SigV4Authorization(
            "AWS4-HMAC-SHA256 Credential=ACKEY/20261130/eu-west-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
        #expect(throws: SigV4Failure.invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261130' != '20261201', from '20261201T180000Z'.")) {
            try verify(request, yesterday)
        }
        let s3 = try! SigV4Authorization("AWS4-HMAC-SHA256 Credential=ACKEY/20261201/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
        #expect(throws: SigV4Failure.invalid("Credential should be scoped to correct service: 'kinesis'. ")) { try verify(request, s3) }
        let hostless = try! SigV4Authorization("AWS4-HMAC-SHA256 Credential=ACKEY/20261201/eu-west-1/kinesis/aws4_request, SignedHeaders=x-amz-date, Signature=00")
        #expect(throws: SigV4Failure.invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")) { try verify(request, hostless) }
    }

    @Test func anAuthorizationHeaderWithoutItsPartsIsIncomplete() {
        #expect(throws: SigV4Failure.incomplete("Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=ACKEY/20261201/eu-west-1/kinesis/aws4_request")) {
            try SigV4Authorization("AWS4-HMAC-SHA256 Credential=ACKEY/20261201/eu-west-1/kinesis/aws4_request")
        }
        #expect(throws: SigV4Failure.incomplete("Unsupported AWS 'algorithm': 'Bearer': sign with AWS4-HMAC-SHA256")) {
            try SigV4Authorization("Bearer abc")
        }
        #expect(throws: SigV4Failure.incomplete("Credential should be of the form <access key id>/<yyyyMMdd>/<region>/<service>/aws4_request, not 'ACKEY/20261201'. ")) {
            try SigV4Authorization("AWS4-HMAC-SHA256 Credential=ACKEY/20261201, SignedHeaders=host, Signature=00")
        }
        #expect(throws: SigV4Failure.incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5'. ")) {
            try SigV4Authorization("AWS4-HMAC-SHA256 Credential=ACKEY/20261201/eu-west-1/kinesis/aws5, SignedHeaders=host, Signature=00")
        }
        #expect(throws: SigV4Failure.incomplete("Credential should be scoped to a valid region, not ''. ")) {
            try SigV4Authorization("AWS4-HMAC-SHA256 Credential=ACKEY/20261201//kinesis/aws4_request, SignedHeaders=host, Signature=00")
        }
    }

    @Test func amzDatesReadBackAsTheirSeconds() {
        for seconds: Int64 in [0, 951_782_400, 1_440_938_160, Self.now, 4_102_444_799] {
            #expect(AmzDate.epochSeconds(AmzDate(epochSeconds: seconds).text) == seconds)
        }
        #expect(AmzDate.epochSeconds("20000229T000000Z") == 951_782_400)
        for text in ["20150231T000000Z", "20261201T180000", "2026-12-01T18:0Z", "20261301T000000Z", "2026120XT180000Z", ""] {
            #expect(AmzDate.epochSeconds(text) == nil, "\(text)")
        }
    }

    @Test func percentEscapesAreReadOnce() {
        #expect(SigV4Verifier.percentDecoded("/a%20b/%2F%zz%4") == "/a b//%zz%4")
        #expect(SigV4Verifier.queryPairs("b=2&a=%20&c").map { "\($0.name)=\($0.value)" } == ["b=2", "a= ", "c="])
        #expect(SigV4Verifier.constantTimeEqual([1, 2], [1, 2]) && !SigV4Verifier.constantTimeEqual([1, 2], [1, 3]) && !SigV4Verifier.constantTimeEqual([1], [1, 2]))
    }
}
