import Foundation
import Hummingbird
import KinesisAPI
import NIOPosix
import HummingbirdWebSocket
import Leaderboard
import RaceStore
import Rankings
import Storage

typealias RouteContext = BasicWebSocketRequestContext

/// Everything the routes read from. One file per group of routes beside this one.
struct ServiceRoutes: Sendable {
    let store: any ResultStore
    let historyBucket: Bucket
    let rankings: RankingEngine
    let hub: LiveHub
    let metrics: ServiceMetrics
    /// Nil when the service reads a remote stream (`--source`): it hosts none to put into.
    let kinesis: KinesisStreams?
    let keyRing: APIKeyRing
    /// Threads for Kinesis API calls, which block while a durable stream syncs its log.
    let ingestPool: NIOThreadPool
    let health: @Sendable () -> ServiceHealth

    func router() -> Router<RouteContext> {
        let router = Router(context: RouteContext.self)
        Self.addMiddleware(to: router)
        addReadRoutes(to: router)
        addRankingRoutes(to: router)
        addHistoryRoutes(to: router)
        addLiveRoute(to: router)
        addDashboardRoutes(to: router)
        addKinesisRoutes(to: router)
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        return router
    }

    /// Hummingbird's MetricsMiddleware counts each request under its endpoint path
    /// (`/races/{raceId}/results`), method and status; it goes first, so it sees the status
    /// FailureAnswerMiddleware gives what a route throws.
    static func addMiddleware<Context: RequestContext>(to router: Router<Context>) {
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: FailureAnswerMiddleware())
    }
}
