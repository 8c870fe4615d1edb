import Firehose
import Foundation
import KinesisStream
import Leaderboard
import RaceModel
import RaceStore
import Simulator
import Storage
import Testing
@testable import Pipeline
@testable import alleycat

/// A restart on a durable stream replays what the firehose had not checkpointed;
/// merging those records again must not change any total.
@Suite struct RecoveryTests {
    @Test func recordsDeliveredTwiceAreNotCountedTwice() throws {
        let directory = temporaryDirectory("recovery")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let layout = DataLayout(directory: directory)
        let plan = SimulationPlan(racers: 20, classes: [3], seconds: 10, seed: 11, startMillis: 1_700_000_000_000)
        // The first process ends (letting go of the data folder) before the restart.
        let summary = try RacePipeline(configuration: PipelineConfiguration(plan: plan, layout: layout, durable: true)).run()
        #expect(summary.delivery.delivered == 200)
        let store = try RaceStore(path: layout.storePath)
        let before = try Measure.allCases.map { try store.leaderboard(classId: 3, by: $0, limit: 100) }
        let history = try gunzip(layout.historyDirectory + "/class-3.gz")
        #expect(before[0].count == 20)

        // The process died after delivering, before its checkpoint was saved: a restart
        // finds the records in the stream log and delivers them again. A firehose with
        // a consumer name of its own has no position yet, which is the same thing.
        let clock = VirtualClock(startMillis: plan.startMillis + 20_000)
        var lines: [String] = []
        let restarted = try PipelineStages(
            layout: layout, setup: .durable, shards: 1, raceLength: 10, firehose: DeliveryStreamConfiguration(name: "replay", consumerName: "replay"), clock: clock,
            mergeWindowMillis: 0, backgroundMerges: false, report: { lines.append($0) })
        #expect(lines == ["stream log \(layout.streamDirectory): 200 record(s) and 1 checkpoint(s) from 1 segment(s)"])
        restarted.firehose.pump()
        #expect(restarted.flush() == [])
        restarted.stop()
        #expect(restarted.firehose.metrics.delivered == 200)

        var delivered = 0
        let bucket = Bucket(name: "delivery", directory: layout.deliveryDirectory)
        for key in bucket.list() { delivered += try gunzip(bucket.path(for: key)).split(separator: "\n").count }
        #expect(delivered == 400)
        #expect(try Measure.allCases.map { try store.leaderboard(classId: 3, by: $0, limit: 100) } == before)
        #expect(try gunzip(layout.historyDirectory + "/class-3.gz") == history)
    }
}

@Suite struct DataFolderLockTests {
    @Test func aSecondHolderIsRefusedUntilTheFirstLetsGo() throws {
        let directory = temporaryDirectory("lock")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var first: DataFolderLock? = try DataFolderLock(directory: directory)
        let holder = "pid \(getpid()) (\(CommandLine.arguments.joined(separator: " ")))"
        #expect(throws: DataFolderLock.Busy(directory: directory, holder: holder)) { try DataFolderLock(directory: directory) }
        #expect(try String(contentsOfFile: DataFolderLock.path(in: directory), encoding: .utf8) == holder + "\n")
        _ = first
        first = nil
        #expect(throws: Never.self) { _ = try DataFolderLock(directory: directory) }
    }
}
