import Hummingbird
import NIOCore
import RaceModel

/// Counts requests by route and status and times them.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let route = request.method == .post && request.uri.path == "/" ? "/ (kinesis)" : Self.route(request.uri.path)
        do {
            let response = try await next(request, context)
            record(route: route, status: response.status.code, since: started)
            return response
        } catch let error as HTTPResponseError {
            record(route: route, status: error.status.code, since: started)
            throw error
        } catch {
            // A client that went away mid-request is not the service's failure: 499, as nginx counts it.
            if error is CancellationError || error is ChannelError || error is IOError {
                record(route: route, status: 499, since: started)
                throw error
            }
            // Anything else is the service's: a line in its log and a body that says so.
            logLine("http: \(request.method) \(request.uri.path) failed: \(error)")
            record(route: route, status: 500, since: started)
            return JSONResponse.ok(
                ["error": "the service failed to answer \(request.method) \(request.uri.path): \(error) (logged)"], status: .internalServerError)
        }
    }

    private func record(route: String, status: Int, since started: ContinuousClock.Instant) {
        metrics.requestCounter(route: route, status: status).increment()
        metrics.requestDuration(route: route).record(ContinuousClock.now - started)
    }

    /// Route names without ids, so labels stay few.
    static func route(_ path: String) -> String {
        if path.hasPrefix("/races/") { return "/races/{id}/results" }
        if path.hasPrefix("/history/") { return "/history/{file}" }
        switch path {
        case "/", "/index.html", "/app.js", "/style.css", "/races", "/leaderboard", "/rankings", "/health", "/metrics", "/live": return path
        default: return "other"
        }
    }
}
