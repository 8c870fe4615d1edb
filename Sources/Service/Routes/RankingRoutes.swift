import Foundation
import Hummingbird
import HummingbirdWebSocket
import Rankings

/// GET /rankings (Here now / All time) and the /live WebSocket.
extension ServiceRoutes {
    func addRankingRoutes(to router: Router<RouteContext>) {
        router.get("/rankings") { request, _ in
            let query = Query(request)
            let classId = try query.classId()
            let view = try query.choice("view", from: ["now", "alltime"], default: "now")
            let limit = try query.integer("limit", default: 10, range: 1...1000)!
            let racerId = try query.integer("racerId", range: 0...Int(Int32.max))
            let second = try query.integer("second", range: 1...86_400)
            if view == "now" {
                let ranking = rankings.hereNow(classId: classId, limit: limit, racerId: racerId)
                try checkRace(ranking.raceId, classId: classId)
                if let racerId, ranking.racer == nil {
                    throw APIError.notFound("racer \(racerId) is not in the current race of class \(classId)")
                }
                return JSONResponse.ok(RankingJSON.object(ranking))
            }
            let ranking = rankings.allTime(classId: classId, second: second, limit: limit, racerId: racerId)
            try checkRace(ranking.raceId, classId: classId)
            if let racerId, ranking.racer == nil {
                throw APIError.notFound("racer \(racerId) is not in the current race of class \(classId)")
            }
            return JSONResponse.ok(RankingJSON.object(ranking))
        }
    }

    private func checkRace(_ raceId: Int64?, classId: Int) throws {
        if raceId == nil { throw APIError.notFound("class \(classId) has no race running") }
    }

    func addLiveRoute(to router: Router<RouteContext>) {
        router.ws("/live") { request, _ in
            // Refuse bad parameters before upgrading, with the same messages as /rankings.
            let query = Query(request)
            _ = try query.classId()
            _ = try query.integer("racerId", range: 0...Int(Int32.max))
            _ = try query.integer("limit", default: 10, range: 1...1000)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let query = Query(context.request)
            let subscription = hub.subscribe(
                classId: try query.classId(), racerId: try query.integer("racerId", range: 0...Int(Int32.max)),
                limit: try query.integer("limit", default: 10, range: 1...1000)!)
            defer { hub.unsubscribe(subscription.id) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in subscription.messages {
                        try await outbound.write(.text(message))
                    }
                }
                group.addTask {
                    // Ends when the client closes; anything it sends is ignored.
                    for try await _ in inbound {}
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
