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
        envelope(
            view: "now", classId: view.classId, raceId: view.raceId, second: view.second, total: view.total,
            leaders: view.leaders, racer: view.racer, entry: entry)
    }

    static func object(_ view: AllTimeView) -> [String: Any] {
        envelope(
            view: "alltime", classId: view.classId, raceId: view.raceId, second: view.second, total: view.total,
            leaders: view.leaders, racer: view.racer, entry: entry)
    }

    private static func envelope<Entry>(
        view: String, classId: Int, raceId: Int64?, second: Int, total: Int, leaders: [Entry],
        racer: Neighbourhood<Entry>?, entry: (Entry) -> [String: Any]
    ) -> [String: Any] {
        [
            "classId": classId, "raceId": raceId.map { $0 as Any } ?? NSNull(), "second": second,
            "view": view, "total": total, "entries": leaders.map(entry),
            "racer": racer.map { ["entry": entry($0.entry), "neighbours": $0.neighbours.map(entry)] as Any } ?? NSNull(),
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
