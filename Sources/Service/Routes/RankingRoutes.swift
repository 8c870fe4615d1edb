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
        /// The subscription's parameters, refused with the same messages as /rankings.
        @Sendable func parameters(_ request: Request) throws -> (classId: Int, racerId: Int?, limit: Int) {
            let query = Query(request)
            return (try query.classId(), try query.integer("racerId", range: 0...Int(Int32.max)), try query.integer("limit", default: 10, range: 1...1000)!)
        }
        router.ws("/live") { request, _ in
            // A plain GET is answered 400 with {"error": …}. A WebSocket handshake that fails
            // is answered 400 with no body by the server library, so a handshake with bad
            // parameters is taken and answered in the socket: {"error": …}, then close 1008.
            if request.headers[.upgrade]?.lowercased() != "websocket" { _ = try parameters(request) }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let wanted: (classId: Int, racerId: Int?, limit: Int)
            do {
                wanted = try parameters(context.request)
            } catch let error as APIError {
                let text = String(decoding: try JSONSerialization.data(withJSONObject: ["error": error.message]), as: UTF8.self)
                try await outbound.write(.text(text))
                try await outbound.close(.policyViolation, reason: "bad parameters")
                return
            }
            let subscription = hub.subscribe(classId: wanted.classId, racerId: wanted.racerId, limit: wanted.limit)
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
