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
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.get("/races") { _, _ -> Response in throw StoreBroke() }
        router.get("/leaderboard") { _, _ -> Response in throw ChannelError.ioOnClosedChannel }
        let failed = try await Application(router: router).test(.router) { client in
            // A client gone mid-request: no one is left to answer, only the count matters.
            _ = try? await client.execute(uri: "/leaderboard", method: .get)
            return try await client.execute(uri: "/races", method: .get)
        }
        #expect(failed.status == .internalServerError)
        #expect(String(buffer: failed.body) == #"{"error":"the service failed to answer GET /races: database disk image is malformed (logged)"}"#)
        let text = String(decoding: metrics.registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"alleycat_http_requests_total{route="/races",status="500"} 1"#))
        #expect(text.contains(#"alleycat_http_requests_total{route="/leaderboard",status="499"} 1"#))
        #expect(!text.contains(#"alleycat_http_requests_total{route="/leaderboard",status="500"}"#))
    }
}
