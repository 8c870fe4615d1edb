import Hummingbird

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
            record(route: route, status: 500, since: started)
            throw error
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
