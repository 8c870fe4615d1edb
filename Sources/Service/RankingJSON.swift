import Foundation
import Rankings

/// The JSON shapes of the ranking views, shared by GET /rankings and /live.
enum RankingJSON {
    static func entry(_ entry: HereNowView.Entry) -> [String: Any] {
        ["rank": entry.rank, "racerId": entry.racerId, "name": entry.name, "output": entry.output, "best": entry.best, "second": entry.second]
    }

    static func entry(_ entry: AllTimeView.Entry) -> [String: Any] {
        [
            "rank": entry.rank, "racerId": entry.racerId, "name": entry.name, "output": entry.output, "live": entry.live,
            "newRecord": entry.newRecord, "record": entry.record.map { $0 as Any } ?? NSNull(),
        ]
    }

    static func object(_ view: HereNowView) -> [String: Any] {
        [
            "classId": view.classId, "raceId": view.raceId.map { $0 as Any } ?? NSNull(), "second": view.second,
            "view": "now", "total": view.total, "entries": view.leaders.map(entry),
            "racer": view.racer.map { ["entry": entry($0.entry), "neighbours": $0.neighbours.map(entry)] as Any } ?? NSNull(),
        ]
    }

    static func object(_ view: AllTimeView) -> [String: Any] {
        [
            "classId": view.classId, "raceId": view.raceId.map { $0 as Any } ?? NSNull(), "second": view.second,
            "view": "alltime", "total": view.total, "entries": view.leaders.map(entry),
            "racer": view.racer.map { ["entry": entry($0.entry), "neighbours": $0.neighbours.map(entry)] as Any } ?? NSNull(),
        ]
    }

    /// One /live message: the Here-now standings with `"type":"rankings"`.
    static func liveMessage(_ view: HereNowView) -> String {
        var object = object(view)
        object["type"] = "rankings"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
