import Firehose
import Foundation
import Leaderboard
import RaceModel
import RaceStore
import Simulator
import Storage
import Testing
@testable import Pipeline
@testable import alleycat

@Suite struct RacePipelineTests {
    /// 50 riders, 60 seconds, two classes, seeded: the whole pipeline, then every output
    /// checked against values computed independently from the delivered records.
    @Test func aSeededRaceEndToEnd() throws {
        let directory = temporaryDirectory("pipeline")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plan = SimulationPlan(racers: 50, classes: [2, 5], seconds: 60, seed: 7, startMillis: 1_700_000_000_000)
        let pipeline = try RacePipeline(configuration: PipelineConfiguration(plan: plan, layout: DataLayout(directory: directory)))
        let summary = try pipeline.run()
        #expect(summary.simulation.accepted == 3000)
        #expect(summary.delivery.delivered == 3000)
        #expect(summary.merge.records == 3000)
        #expect(summary.errors.isEmpty)

        // Every delivered record, read with gzip and JSONSerialization (not the project's parser).
        var best: [Int: [String: [String: Double]]] = [:]
        var totals: [Int: Double] = [:]
        var count = 0
        let bucket = Bucket(name: "delivery", directory: directory + "/delivery")
        for key in bucket.list() {
            for line in try gunzip(bucket.path(for: key)).split(separator: "\n") {
                let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                let cadence = record["cadence"] as! Double, resistance = record["resistance"] as! Double
                let output = record["output"] as! Double
                #expect(abs(output - (cadence + 35) * (resistance + 65) / 100) < 1e-9)
                let classId = record["classId"] as! Int, racer = record["racerId"] as! Int, second = record["second"] as! Int
                best[classId, default: [:]][String(second), default: [:]][String(racer)] =
                    max(best[classId]?[String(second)]?[String(racer)] ?? -1, output)
                totals[racer, default: 0] += output
                count += 1
            }
        }
        #expect(count == 3000)
        for classId in [2, 5] {
            let text = try gunzip(directory + "/history/class-\(classId).gz")
            let history = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: [String: Double]]
            #expect(history == best[classId]!)
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/history/class-1.gz"))

        // The store agrees with the records, and the CLI with the store.
        let store = try RaceStore(path: directory + "/alleycat.sqlite")
        let board = try store.leaderboard(classId: 2, by: .total, limit: 25)
        #expect(board.count == 25)
        for entry in board {
            #expect(abs(entry.value - totals[entry.racerId]!) < 1e-6)
        }
        #expect(board.map(\.value) == board.map(\.value).sorted(by: >))
        let cli = try run(alleycatBinary, ["leaderboard", "--class", "2", "--limit", "25", "--json", "--data", directory])
        #expect(cli.status == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(cli.out.utf8)) as! [[String: Any]]
        #expect(rows.map { $0["racerId"] as! Int } == board.map(\.racerId))
        #expect(rows.map { $0["value"] as! Double } == board.map(\.value))
        #expect(rows.map { $0["name"] as! String } == board.map { Roster.name(of: $0.racerId) })
    }

    @Test func sameSeedSameOutputs() throws {
        var histories: [String] = []
        for _ in 0..<2 {
            let directory = temporaryDirectory("pipeline-seed")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let plan = SimulationPlan(racers: 20, classes: [3], seconds: 30, seed: 42, startMillis: 1_700_000_000_000)
            _ = try RacePipeline(configuration: PipelineConfiguration(plan: plan, layout: DataLayout(directory: directory))).run()
            histories.append(try gunzip(directory + "/history/class-3.gz"))
        }
        #expect(histories[0] == histories[1])
        #expect(histories[0].hasPrefix(#"{"1":{"0":"#))
    }

    /// The same seeded race through the original transform as an unchanged Lambda
    /// handler (node, python3) and through the built-in processor. "The same": every
    /// history key in both, its values equal to 1e-9 (JavaScript and Python compute in
    /// binary floating point, the built-in in exact decimals of at most 4 places here, so
    /// a value may be a bit away from the exact one and is written with other digits),
    /// and every leaderboard in the same order with the same totals, exactly (the store
    /// rounds totals to 6 places, under which the binary error vanishes).
    @Test(arguments: ["transform.js", "transform.py"])
    func aSeededRaceThroughALambdaHandlerMatchesTheBuiltInProcessor(file: String) throws {
        let plan = SimulationPlan(racers: 30, classes: [1, 4], seconds: 40, seed: 7, startMillis: 1_700_000_000_000)
        let handlers = temporaryDirectory("handlers")
        defer { try? FileManager.default.removeItem(atPath: handlers) }
        let lambda = try LambdaProcessor(handler: LambdaHandler(writeOriginalTransform(file, in: handlers)))
        var outputs: [(history: [Int: [String: [String: Double]]], boards: [Measure: [Int: [LeaderboardEntry]]])] = []
        for processor in [nil, lambda] as [(any RecordProcessor)?] {
            let directory = temporaryDirectory("pipeline-lambda")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let pipeline = try RacePipeline(configuration: PipelineConfiguration(
                plan: plan, layout: DataLayout(directory: directory), processor: processor))
            let summary = try pipeline.run()
            #expect(summary.delivery.delivered == 1200)
            #expect(summary.delivery.failed == 0)
            #expect(summary.merge.records == 1200)
            #expect(summary.errors.isEmpty)
            var history: [Int: [String: [String: Double]]] = [:]
            var boards: [Measure: [Int: [LeaderboardEntry]]] = [:]
            for classId in plan.classes {
                let text = try gunzip(directory + "/history/class-\(classId).gz")
                history[classId] = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [String: Double]]
                for measure in Measure.allCases {
                    boards[measure, default: [:]][classId] = try pipeline.store.leaderboard(classId: classId, by: measure, limit: 100)
                }
            }
            outputs.append((history, boards))
        }
        let (builtIn, handler) = (outputs[0], outputs[1])
        for classId in plan.classes {
            let expected = try #require(builtIn.history[classId])
            let actual = try #require(handler.history[classId])
            #expect(expected.count == 40)
            #expect(actual.mapValues { $0.keys.sorted() } == expected.mapValues { $0.keys.sorted() })
            for (second, racers) in expected {
                for (racer, output) in racers {
                    #expect(abs(actual[second]![racer]! - output) < 1e-9, "class \(classId) second \(second) racer \(racer)")
                }
            }
            for measure in Measure.allCases {
                let expectedBoard = builtIn.boards[measure]![classId]!
                let board = handler.boards[measure]![classId]!
                #expect(expectedBoard.count == 15)
                #expect(board.map(\.racerId) == expectedBoard.map(\.racerId), "class \(classId) by \(measure)")
                if measure == .total {
                    #expect(board.map(\.value) == expectedBoard.map(\.value))
                } else {
                    #expect(zip(board, expectedBoard).allSatisfy { abs($0.value - $1.value) < 1e-9 }, "class \(classId) by \(measure)")
                }
            }
        }
    }
}
