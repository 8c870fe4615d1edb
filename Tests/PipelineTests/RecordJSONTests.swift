import Foundation
import Testing

/// The store's records (RaceStore's RecordJSON.swift) as `alleycat ... --json` prints them and
/// as `alleycat serve` answers them, on one store: the same keys and the same values.
@Suite struct RecordJSONTests {
    @Test(.timeLimit(.minutes(2))) func theCLIAndTheServicePrintTheSameRecords() throws {
        let directory = temporaryDirectory("record-json")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let race = ["race", "--racers", "24", "--class", "1,2", "--seconds", "20", "--races", "2", "--start", "1700000000000", "--data", directory]
        #expect(try run(alleycatBinary, race).status == 0)
        func cli(_ arguments: String...) throws -> Any {
            let answer = try run(alleycatBinary, arguments + ["--json", "--data", directory])
            #expect(answer.status == 0, "\(arguments): \(answer.err)")
            return try JSONSerialization.jsonObject(with: Data(answer.out.utf8))
        }
        let measures = ["total", "best", "final"]
        let races = try cli("races", "--class", "1")
        let results = try [5_666_666, 5_666_667].map { try cli("results", "--race", String($0)) }
        let boards = try measures.map { try cli("leaderboard", "--class", "1", "--by", $0, "--limit", "1000") }
        let racer = try #require(try cli("racer", "--id", "2") as? [String: Any])

        let serve = try ServeProcess(["--data", directory, "--in-memory"])
        defer { _ = serve.stop() }
        func http(_ path: String) throws -> [String: Any] {
            let answer = try run("/usr/bin/env", ["curl", "-s", serve.endpoint + path])
            return try #require(try JSONSerialization.jsonObject(with: Data(answer.out.utf8)) as? [String: Any], "\(path): \(answer.out)")
        }

        // The documents differ only in the HTTP envelope, which echoes the query.
        let httpRaces = try http("/races?classId=1")
        #expect(httpRaces as NSDictionary == ["classId": 1, "races": races] as NSDictionary)
        let httpResults = try [5_666_666, 5_666_667].map { try http("/races/\($0)/results") }
        for (raceId, (cliResults, httpResult)) in zip([5_666_666, 5_666_667], zip(results, httpResults)) {
            #expect(httpResult as NSDictionary == ["raceId": raceId, "results": cliResults] as NSDictionary)
        }
        let httpBoards = try measures.map { try http("/leaderboard?classId=1&by=\($0)&limit=1000") }
        for (measure, (cliBoard, httpBoard)) in zip(measures, zip(boards, httpBoards)) {
            #expect(httpBoard as NSDictionary == ["classId": 1, "by": measure, "entries": cliBoard] as NSDictionary)
        }

        // Each record type's keys, and one record of each in full.
        let raceRecords = try #require(races as? [[String: Any]])
        #expect(raceRecords.map { $0["raceId"] as? Int } == [5_666_667, 5_666_666])
        #expect(raceRecords.allSatisfy { Set($0.keys) == ["raceId", "classId", "startMillis", "status", "racerCount"] })
        #expect(raceRecords[1] as NSDictionary == [
            "raceId": 5_666_666, "classId": 1, "startMillis": 1_700_000_000_000, "status": "finished", "racerCount": 12,
        ] as NSDictionary)
        let resultRecords = try #require(results[0] as? [[String: Any]])
        #expect(resultRecords.count == 24)
        #expect(resultRecords.allSatisfy {
            Set($0.keys) == ["raceId", "classId", "rank", "racerId", "name", "totalOutput", "bestOutput", "finalOutput", "secondsReported"]
        })
        #expect(resultRecords.map { "\($0["classId"]!)#\($0["rank"]!)" } == (1...2).flatMap { classId in (1...12).map { "\(classId)#\($0)" } })
        let entryRecords = try #require(boards[0] as? [[String: Any]])
        #expect(entryRecords.count == 12)
        #expect(entryRecords.allSatisfy { Set($0.keys) == ["rank", "racerId", "name", "raceId", "value"] })

        // A racer's races are their result records, and their records their leaderboard entries.
        #expect(Set(racer.keys) == ["racerId", "name", "races", "records"])
        let racerRaces = try #require(racer["races"] as? [[String: Any]])
        let ownResults = httpResults.reversed().flatMap { ($0["results"] as! [[String: Any]]).filter { $0["racerId"] as? Int == 2 } }
        #expect(racerRaces.count == 2)
        #expect(racerRaces as NSArray == ownResults as NSArray)
        let records = try #require(racer["records"] as? [String: [String: Any]])
        #expect(Set(records.keys) == Set(measures))
        for (measure, httpBoard) in zip(measures, httpBoards) {
            let entry = (httpBoard["entries"] as! [[String: Any]]).first { $0["racerId"] as? Int == 2 }
            #expect(records[measure] as NSDictionary? == ["1": entry as Any] as NSDictionary, "\(measure)")
        }

        // Each request is counted under its route's endpoint path (Hummingbird's MetricsMiddleware).
        _ = try run("/usr/bin/env", ["curl", "-s", serve.endpoint + "/races/42/results"])
        let expected = [
            #"hb_requests{http_route="/races",http_request_method="GET",http_response_status_code="200"} 1"#,
            #"hb_requests{http_route="/races/{raceId}/results",http_request_method="GET",http_response_status_code="200"} 2"#,
            #"hb_requests{http_route="/races/{raceId}/results",http_request_method="GET",http_response_status_code="404"} 1"#,
            #"hb_request_errors{http_route="/races/{raceId}/results",http_request_method="GET",error_type="404"} 1"#,
            #"hb_requests{http_route="/leaderboard",http_request_method="GET",http_response_status_code="200"} 3"#,
        ]
        // A request is counted once its answer is written, which may be just after curl has read it.
        var lines: Set<Substring> = []
        let deadline = Date().addingTimeInterval(10)
        repeat {
            lines = Set(try run("/usr/bin/env", ["curl", "-s", serve.endpoint + "/metrics"]).out.split(separator: "\n"))
        } while !expected.allSatisfy({ lines.contains(Substring($0)) }) && Date() < deadline
        for line in expected { #expect(lines.contains(Substring(line)), "\(line)") }
    }
}
