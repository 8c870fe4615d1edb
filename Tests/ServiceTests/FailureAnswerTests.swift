import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Service

/// What the service answers when it fails itself, and when a client goes away.
@Suite struct FailureAnswerTests {
    struct StoreBroke: Error, CustomStringConvertible {
        var description: String { "database disk image is malformed" }
    }

    @Test func aFailureIsAnswered500WithItsReasonAndCountedApartFromAClientGoingAway() async throws {
        let metrics = ServiceMetrics()
        let router = Router()
        ServiceRoutes.addMiddleware(to: router)
        // Paths of this test alone: the process's HTTP counts are shared by every test in it.
        router.get("/failure-answer/broken") { _, _ -> Response in throw StoreBroke() }
        router.get("/failure-answer/gone") { _, _ -> Response in throw ChannelError.ioOnClosedChannel }
        let failed = try await Application(router: router).test(.router) { client in
            // A client gone mid-request: no one is left to answer, only the count matters.
            _ = try? await client.execute(uri: "/failure-answer/gone", method: .get)
            return try await client.execute(uri: "/failure-answer/broken", method: .get)
        }
        #expect(failed.status == .internalServerError)
        #expect(String(buffer: failed.body) == #"{"error":"the service failed to answer GET /failure-answer/broken: database disk image is malformed (logged)"}"#)
        let lines = String(decoding: metrics.exposition(), as: UTF8.self).split(separator: "\n").filter { $0.contains("/failure-answer/") }
        #expect(lines.filter { $0.hasPrefix("hb_") }.sorted() == [
            #"hb_request_errors{http_route="/failure-answer/broken",http_request_method="GET",error_type="500"} 1"#,
            #"hb_request_errors{http_route="/failure-answer/gone",http_request_method="GET",error_type="499"} 1"#,
            #"hb_requests{http_route="/failure-answer/broken",http_request_method="GET",http_response_status_code="500"} 1"#,
            #"hb_requests{http_route="/failure-answer/gone",http_request_method="GET",http_response_status_code="499"} 1"#,
        ])
        // Hummingbird times only the requests a route answers without throwing.
        #expect(lines.filter { $0.hasPrefix("http_server_request_duration_count") }.sorted() == [
            #"http_server_request_duration_count{http_route="/failure-answer/broken",http_request_method="GET",http_response_status_code="500"} 0"#,
            #"http_server_request_duration_count{http_route="/failure-answer/gone",http_request_method="GET",http_response_status_code="499"} 0"#,
        ])
    }
}
