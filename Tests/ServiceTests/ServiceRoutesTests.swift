import Foundation
import Hummingbird
import HummingbirdTesting
import RaceModel
import Testing
@testable import Service

/// Every route through Hummingbird's router test framework (no socket).
@Suite struct ServiceRoutesTests {
    /// Three riders of class 1 and one of class 2 for three seconds, delivered and merged.
    func racedRig() throws -> ServiceRig {
        let rig = try ServiceRig()
        for second in 1...3 {
            try rig.second(second, [
                (1, 1, 60 + second, 50), (2, 1, 70, 40), (3, 1, 50, 50 + second), (9, 2, 80, 80),
            ], final: 3)
        }
        rig.service.flush()
        return rig
    }

    func get(_ rig: ServiceRig, _ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await rig.service.application().test(.router) { client in
            try await client.execute(uri: uri, method: .get, headers: headers)
        }
    }

    @Test func health() async throws {
        let rig = try ServiceRig()
        defer { rig.remove() }
        let response = try await get(rig, "/health")
        #expect(response.status == .ok)
        #expect(response.text == #"{"stages":{"firehose":{"status":"ok"},"merger":{"status":"ok"},"rankings":{"status":"ok"},"stream":{"status":"ok"}},"status":"ok"}"#)
    }

    /// A merge that fails makes /health answer 503 naming the stage and its cause, and
    /// /metrics count it; it is retried on the clock and the service recovers by itself.
    @Test func aFailingStageIsReportedAndRecoversWithoutARestart() async throws {
        let rig = try ServiceRig()
        defer { rig.remove() }
        let blocker = rig.directory + "/history/class-2.gz"
        try FileManager.default.createDirectory(atPath: blocker + "/in-the-way", withIntermediateDirectories: true)
        try rig.second(1, [(racer: 1, classId: 2, cadence: 80, resistance: 40)])
        #expect(rig.service.stages.flush() == [
            "merge of 1 object failing for 0 s after 1 attempt: cannot rename a temporary file to \(blocker): Is a directory",
        ])
        rig.clock.advance(byMillis: 400)
        rig.service.pump()
        let failing = try await get(rig, "/health")
        #expect(failing.status == .serviceUnavailable)
        #expect(failing.text == #"{"stages":{"firehose":{"status":"ok"},"merger":{"attempts":1,"error":"cannot rename a temporary file to \#(blocker): Is a directory","failingForSeconds":0,"retryInSeconds":1,"status":"failing"},"rankings":{"status":"ok"},"stream":{"status":"ok"}},"status":"failing"}"#)
        let metrics = try await get(rig, "/metrics").text
        #expect(metrics.contains(#"alleycat_stage_failing{stage="merger"} 1.0"#))
        #expect(metrics.contains(#"alleycat_stage_failures_total{stage="merger"} 1"#))

        try FileManager.default.removeItem(atPath: blocker)
        rig.clock.advance(byMillis: 600)
        #expect(rig.service.stages.flush() == [])
        rig.service.pump()
        let healed = try await get(rig, "/health")
        #expect(healed.status == .ok)
        #expect(try rig.service.store.result(raceId: 5_666_666, classId: 2, racerId: 1)?.totalOutput == 120.75)
        #expect(try await get(rig, "/metrics").text.contains(#"alleycat_stage_failing{stage="merger"} 0.0"#))
    }

    @Test(arguments: [
        ("/races", 400, "classId is required: classes are 1 to 6"),
        ("/races?classId=7", 400, "classId is '7', must be a class from 1 to 6"),
        ("/races?classId=one", 400, "classId is 'one', must be a class from 1 to 6"),
        ("/leaderboard?classId=1&by=worst", 400, "by is 'worst', must be total, best or final"),
        ("/leaderboard?classId=1&limit=0", 400, "limit is '0', must be a whole number from 1 to 1000"),
        ("/races/abc/results", 400, "race id is 'abc', must be a whole number >= 0"),
        ("/races/42/results", 404, "race 42 not found: GET /races?classId=N lists the races"),
        ("/rankings?classId=3", 404, "class 3 has no race running"),
        ("/rankings?classId=1&view=later", 400, "view is 'later', must be now or alltime"),
        ("/rankings?classId=1&racerId=77", 404, "racer 77 is not in the current race of class 1"),
        ("/rankings?classId=1&view=alltime&racerId=77", 404, "racer 77 is not in the current race of class 1"),
        ("/rankings?classId=1&second=0", 400, "second is '0', must be a whole number from 1 to 86400"),
        ("/history/class-9.gz", 404, "no history file 'class-9.gz': the files are class-1.gz to class-6.gz"),
        ("/history/class-4.gz", 404, "class-4.gz has no history yet: no race of that class has been merged"),
    ] as [(String, Int, String)])
    func errorsHaveTheirStatusAndMessage(uri: String, status: Int, message: String) async throws {
        let rig = try racedRig()
        defer { rig.remove() }
        let response = try await get(rig, uri)
        #expect(response.status.code == status)
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
        #expect(response.json as NSDictionary == ["error": message] as NSDictionary)
    }

    @Test func racesLeaderboardAndResults() async throws {
        let rig = try racedRig()
        defer { rig.remove() }
        let races = try await get(rig, "/races?classId=1").json
        let race = (races["races"] as! [[String: Any]])[0]
        #expect(race["raceId"] as? Int == 5_666_666)
        #expect(race["racerCount"] as? Int == 3)
        #expect(race["status"] as? String == "finished")

        // Outputs: racer 1: (61+35)(50+65)/100 = 110.4, 111.55, 112.7 → total 334.65, best/final 112.7
        //          racer 2: (70+35)(40+65)/100 = 110.25 each second → total 330.75
        //          racer 3: (50+35)(51..53+65)/100 = 98.6, 99.45, 100.3 → total 298.35
        let board = try await get(rig, "/leaderboard?classId=1&by=total&limit=2").json
        let entries = board["entries"] as! [[String: Any]]
        #expect(entries.map { $0["racerId"] as! Int } == [1, 2])
        #expect(entries.map { $0["value"] as! Double } == [334.65, 330.75])
        #expect(entries.map { $0["name"] as! String } == ["Hugo", "Jose"])
        let best = try await get(rig, "/leaderboard?classId=1&by=final").json["entries"] as! [[String: Any]]
        #expect(best.map { $0["value"] as! Double } == [112.7, 110.25, 100.3])

        let results = try await get(rig, "/races/5666666/results").json["results"] as! [[String: Any]]
        #expect(results.map { [$0["classId"] as! Int, $0["rank"] as! Int, $0["racerId"] as! Int] } == [[1, 1, 1], [1, 2, 2], [1, 3, 3], [2, 1, 9]])
        // (80 + 35)(80 + 65) / 100 = 166.75, three times
        #expect(results[3] as NSDictionary == [
            "raceId": 5_666_666, "classId": 2, "rank": 1, "racerId": 9, "name": Roster.name(of: 9),
            "totalOutput": 500.25, "bestOutput": 166.75, "finalOutput": 166.75, "secondsReported": 3,
        ] as NSDictionary)
    }

    @Test func rankingsHereNowAndAllTime() async throws {
        let rig = try racedRig()
        defer { rig.remove() }
        let now = try await get(rig, "/rankings?classId=1&racerId=3&limit=2").json
        #expect(now["second"] as? Int == 3)
        #expect(now["view"] as? String == "now")
        #expect((now["entries"] as! [[String: Any]]).map { $0["racerId"] as! Int } == [1, 2])
        let racer = now["racer"] as! [String: Any]
        #expect((racer["entry"] as! [String: Any])["rank"] as? Int == 3)
        #expect((racer["neighbours"] as! [[String: Any]]).map { $0["racerId"] as! Int } == [1, 2])

        // All time at second 2: nothing was merged before this race started, so every live output is a record.
        let allTime = try await get(rig, "/rankings?classId=1&view=alltime&second=2").json
        let entries = allTime["entries"] as! [[String: Any]]
        #expect(entries.map { $0["racerId"] as! Int } == [1, 2, 3])
        #expect(entries.map { $0["output"] as! Double } == [111.55, 110.25, 99.45])
        #expect(entries.allSatisfy { $0["live"] as? Bool == true && $0["newRecord"] as? Bool == true && $0["record"] is NSNull })
    }

    @Test func allTimeAgainstTheHistoryOfEarlierRaces() async throws {
        let rig = try racedRig()
        defer { rig.remove() }
        // The next race: racer 1 slower, racer 2 faster, racer 3 the same as before.
        for second in 1...2 {
            try rig.second(second, [(1, 1, 50, 50), (2, 1, 80, 40), (3, 1, 50, 50 + second)], raceId: 5_666_667)
        }
        let view = try await get(rig, "/rankings?classId=1&view=alltime&racerId=1").json
        #expect(view["raceId"] as? Int == 5_666_667)
        #expect(view["second"] as? Int == 2)
        let entries = view["entries"] as! [[String: Any]]
        // 2: (80+35)(40+65)/100 = 120.75 beats 110.25; 3: 99.45 ties its record; 1: 97.75 under 111.55.
        #expect(entries.map { $0["racerId"] as! Int } == [2, 3, 1])
        #expect(entries.map { $0["output"] as! Double } == [120.75, 99.45, 97.75])
        #expect(entries.map { $0["record"] as? Double } == [110.25, 99.45, 111.55])
        #expect(entries.map { $0["newRecord"] as! Bool } == [true, false, false])
        let racer = view["racer"] as! [String: Any]
        #expect((racer["entry"] as! [String: Any])["rank"] as? Int == 3)
    }

    @Test func historyFileWithETag() async throws {
        let rig = try racedRig()
        defer { rig.remove() }
        let response = try await get(rig, "/history/class-1.gz")
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "application/gzip")
        let bytes = Array(buffer: response.body)
        #expect(bytes == Array(try Data(contentsOf: URL(fileURLWithPath: rig.directory + "/history/class-1.gz"))))
        let etag = try #require(response.headers[.eTag])
        #expect(etag.count == 34)
        let again = try await get(rig, "/history/class-1.gz", headers: [.ifNoneMatch: etag])
        #expect(again.status == .notModified)
        #expect(again.body.readableBytes == 0)
        let stale = try await get(rig, "/history/class-1.gz", headers: [.ifNoneMatch: "\"0\""])
        #expect(stale.status == .ok)
    }

    @Test func implausibleRecordsAreCountedByStage() async throws {
        let rig = try ServiceRig()
        defer { rig.remove() }
        try rig.second(1, [(racer: 1, classId: 1, cadence: 60, resistance: 50), (racer: 2, classId: 1, cadence: 250, resistance: 50)])
        rig.service.flush()
        let metrics = try await get(rig, "/metrics").text
        #expect(metrics.contains("alleycat_records_implausible_total{stage=\"firehose\"} 1\n"))
        #expect(metrics.contains("alleycat_records_implausible_total{stage=\"rankings\"} 1\n"))
        #expect(metrics.contains("alleycat_records_failed_total 1\n"))
        #expect(metrics.contains("alleycat_records_delivered_total 1\n"))
        #expect(try rig.service.store.results(raceId: 5_666_666).map(\.racerId) == [1])
    }

    @Test func metricsAndDashboard() async throws {
        let rig = try racedRig()
        defer { rig.remove() }
        _ = try await get(rig, "/health")
        let metrics = try await get(rig, "/metrics").text
        #expect(metrics.contains("alleycat_records_in_total 12\n"))
        #expect(metrics.contains("alleycat_records_delivered_total 12\n"))
        #expect(metrics.contains("alleycat_ranking_updates_total 6\n"))
        let page = try await get(rig, "/")
        #expect(page.status == .ok)
        #expect(page.headers[.contentType] == "text/html; charset=utf-8")
        #expect(page.text.contains("<title>Alleycat"))
        let script = try await get(rig, "/app.js")
        #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
        #expect(script.text.contains("DecompressionStream('gzip')"))
    }
}
