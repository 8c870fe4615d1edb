import Hummingbird
import RaceStore

/// GET /health, /races, /leaderboard, /races/{id}/results: the store's answers. The records
/// are the store's JSON shapes (RaceStore's RecordJSON.swift), as the CLI prints them; the
/// document around them echoes the query (class, measure, race) a URL carries.
extension ServiceRoutes {
    func addReadRoutes(to router: Router<RouteContext>) {
        router.get("/health") { _, _ in
            let health = health()
            return JSONResponse.ok(health.json, status: health.isHealthy ? .ok : .serviceUnavailable)
        }

        router.get("/races") { request, _ in
            let classId = try Query(request).classId()
            let races = try store.races(classId: classId)
            return JSONResponse.ok(["classId": classId, "races": races.map(\.json)])
        }

        router.get("/leaderboard") { request, _ in
            let query = Query(request)
            let classId = try query.classId()
            let by = try query.choice("by", from: Measure.allCases.map(\.rawValue), default: Measure.total.rawValue)
            let limit = try query.integer("limit", default: 10, range: 1...1000)!
            let entries = try store.leaderboard(classId: classId, by: Measure(rawValue: by)!, limit: limit)
            return JSONResponse.ok(["classId": classId, "by": by, "entries": entries.map(\.json)])
        }

        router.get("/races/:raceId/results") { _, context in
            let text = context.parameters.get("raceId") ?? ""
            guard let raceId = Int64(text), raceId >= 0 else {
                throw APIError.badRequest("race id is '\(text)', must be a whole number >= 0")
            }
            let results = try store.results(raceId: raceId)
            guard !results.isEmpty else { throw APIError.notFound("race \(raceId) not found: GET /races?classId=N lists the races") }
            return JSONResponse.ok(["raceId": raceId, "results": results.map(\.json)])
        }
    }
}
