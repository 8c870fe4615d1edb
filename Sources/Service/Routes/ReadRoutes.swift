import Foundation
import Hummingbird
import RaceModel
import RaceStore

/// GET /health, /races, /leaderboard, /races/{id}/results: the store's answers.
extension ServiceRoutes {
    func addReadRoutes(to router: Router<RouteContext>) {
        router.get("/health") { _, _ in
            let health = health()
            return JSONResponse.ok(health.json, status: health.isHealthy ? .ok : .serviceUnavailable)
        }

        router.get("/races") { request, _ in
            let classId = try Query(request).classId()
            let races = try store.races(classId: classId)
            return JSONResponse.ok([
                "classId": classId,
                "races": races.map { race in
                    ["raceId": race.raceId, "classId": race.classId, "startMillis": race.startMillis,
                     "status": race.status.rawValue, "racerCount": race.racerCount] as [String: Any]
                },
            ])
        }

        router.get("/leaderboard") { request, _ in
            let query = Query(request)
            let classId = try query.classId()
            let by = try query.choice("by", from: Measure.allCases.map(\.rawValue), default: Measure.total.rawValue)
            let limit = try query.integer("limit", default: 10, range: 1...1000)!
            let entries = try store.leaderboard(classId: classId, by: Measure(rawValue: by)!, limit: limit)
            return JSONResponse.ok([
                "classId": classId, "by": by,
                "entries": entries.map { entry in
                    ["rank": entry.rank, "racerId": entry.racerId, "name": entry.name, "raceId": entry.raceId, "value": entry.value] as [String: Any]
                },
            ])
        }

        router.get("/races/:raceId/results") { _, context in
            let text = context.parameters.get("raceId") ?? ""
            guard let raceId = Int64(text), raceId >= 0 else {
                throw APIError.badRequest("race id is '\(text)', must be a whole number >= 0")
            }
            let results = try store.results(raceId: raceId)
            guard !results.isEmpty else { throw APIError.notFound("race \(raceId) not found: GET /races?classId=N lists the races") }
            var ranks: [Int: Int] = [:]
            return JSONResponse.ok([
                "raceId": raceId,
                "results": results.map { result -> [String: Any] in
                    ranks[result.classId, default: 0] += 1
                    return [
                        "classId": result.classId, "rank": ranks[result.classId]!, "racerId": result.racerId, "name": result.name,
                        "totalOutput": result.totalOutput, "bestOutput": result.bestOutput,
                        "finalOutput": result.finalOutput.map { $0 as Any } ?? NSNull(), "secondsReported": result.secondsReported,
                    ]
                },
            ])
        }
    }
}
