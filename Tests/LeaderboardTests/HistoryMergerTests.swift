import Foundation
import HistoryFile
import RaceModel
import RaceStore
import Storage
import Synchronization
import Testing
@testable import Leaderboard

/// Delivery and history buckets in a temporary directory, and a store.
struct MergeRig {
    let directory: String
    let delivery: Bucket
    let history: Bucket
    let store: RaceStore

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("merger-\(UUID().uuidString)").path
        delivery = Bucket(name: "delivery", directory: directory + "/delivery")
        history = Bucket(name: "history", directory: directory + "/history")
        store = try RaceStore(path: directory + "/alleycat.sqlite")
    }

    func merger() throws -> HistoryMerger {
        try HistoryMerger(deliveryBucket: delivery, historyBucket: history, store: store)
    }

    /// Writes a delivered object of transformed records.
    @discardableResult
    func deliver(_ key: String, _ records: [(racer: Int, classId: Int, second: Int, output: String)], raceId: Int64 = 5_666_666, final: Int = 300) throws -> String {
        let lines = records.map { record in
            #"{"event":"\#(record.second == final ? "final" : "update")","deviceTimestamp":\#(1_699_999_800_000 + Int64(record.second - 1) * 1000),"second":\#(record.second),"raceId":\#(raceId),"name":"\#(Roster.name(of: record.racer))","racerId":\#(record.racer),"classId":\#(record.classId),"cadence":60,"resistance":50,"output":\#(record.output)}"#
        }
        try delivery.put(key: key, bytes: Gzip.compress(Array((lines.joined(separator: "\n") + "\n").utf8)))
        return key
    }

    /// The class's history file, gunzipped by the system's gzip and parsed with JSONSerialization.
    func historyJSON(_ classId: Int) throws -> [String: [String: Double]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -dc \"$0\"", history.path(for: "class-\(classId).gz")]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONSerialization.jsonObject(with: data) as! [String: [String: Double]]
    }

    func historyBytes(_ classId: Int) throws -> [UInt8] {
        try Gzip.decompress(history.get(key: "class-\(classId).gz"))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite struct HistoryMergerTests {
    @Test func foldsTheMaximumIntoFilesOfTheContractsShape() throws {
        let rig = try MergeRig()
        defer { rig.remove() }
        let a = try rig.deliver("2023/11/14/22/a.gz", [(1, 1, 1, "100.5"), (2, 1, 1, "90"), (1, 1, 2, "101"), (5, 3, 1, "70.25")])
        let b = try rig.deliver("2023/11/14/22/b.gz", [(1, 1, 1, "99"), (2, 1, 1, "95.75"), (1, 1, 2, "101.5")])
        let merger = try rig.merger()
        let report = try merger.merge(keys: [a, b])
        #expect(report.objects == 2)
        #expect(report.records == 7)
        #expect(report.classesWritten == [1, 3])
        #expect(try rig.historyJSON(1) == ["1": ["1": 100.5, "2": 95.75], "2": ["1": 101.5]])
        #expect(try rig.historyJSON(3) == ["1": ["5": 70.25]])
        #expect(String(decoding: try rig.historyBytes(1), as: UTF8.self) == #"{"1":{"1":100.5,"2":95.75},"2":{"1":101.5}}"#)
        #expect(!rig.history.exists(key: "class-2.gz"))
        #expect(try rig.store.mergedObjectKeys() == [a, b])
    }

    @Test func mergingTwiceChangesNothing() throws {
        let rig = try MergeRig()
        defer { rig.remove() }
        let a = try rig.deliver("a.gz", [(1, 1, 1, "100"), (1, 1, 300, "120")])
        let merger = try rig.merger()
        try merger.merge(keys: [a])
        let history = try rig.historyBytes(1)
        let result = try rig.store.result(raceId: 5_666_666, classId: 1, racerId: 1)
        #expect(try merger.merge(keys: [a]).objects == 0)  // in the ledger: skipped
        try merger.merge(keys: [a], force: true)  // merged again all the same
        #expect(try rig.historyBytes(1) == history)
        #expect(try rig.store.result(raceId: 5_666_666, classId: 1, racerId: 1) == result)
        #expect(result?.totalOutput == 220)
        #expect(result?.finalOutput == 120)
    }

    @Test func orderOfObjectsDoesNotMatter() throws {
        var contents: [[UInt8]] = []
        let objects: [[(racer: Int, classId: Int, second: Int, output: String)]] = (0..<6).map { object in
            (0..<40).map { i in (racer: i % 7, classId: 2, second: 1 + (i + object) % 5, output: "\(50 + (i * 37 + object * 11) % 61).\(i % 10)") }
        }
        for order in [[0, 1, 2, 3, 4, 5], [5, 3, 1, 0, 4, 2], [2, 2, 0, 5, 1, 3, 4]] {
            let rig = try MergeRig()
            defer { rig.remove() }
            let merger = try rig.merger()
            for index in order {
                try merger.merge(keys: [try rig.deliver("o\(index).gz", objects[index])], force: true)
            }
            contents.append(try rig.historyBytes(2))
        }
        #expect(contents[0] == contents[1])
        #expect(contents[0] == contents[2])
    }

    @Test func filesWrittenMergeByMergeAreTheBytesOfOneMergeOfEverything() throws {
        let objects: [[(racer: Int, classId: Int, second: Int, output: String)]] = (0..<6).map { object in
            (0..<300).map { i in (racer: i % 50, classId: 1 + i % 2, second: 1 + (i / 50 + object * 3) % 20, output: "\(50 + (i * 37 + object * 11) % 61).\(i % 10)") }
        }
        var files: [[[UInt8]]] = []
        for together in [false, true] {
            let rig = try MergeRig()
            defer { rig.remove() }
            let merger = try rig.merger()
            let keys = try objects.indices.map { try rig.deliver("o\($0).gz", objects[$0]) }
            if together {
                try merger.merge(keys: keys)
            } else {
                // Each merge copies the seconds it did not change from the file before it.
                for key in keys { try merger.merge(keys: [key]) }
            }
            files.append(try [1, 2].map { try rig.history.get(key: "class-\($0).gz") })
        }
        #expect(files[0] == files[1])
        #expect(try Gzip.decompress(files[0][0]).count > 1000)
    }

    @Test func aBacklogIsMergedInBoundedMerges() throws {
        let rig = try MergeRig()
        defer { rig.remove() }
        let queue = MergeQueue(merger: try rig.merger(), coalesceMillis: 0, maxObjectsPerMerge: 4)
        defer { queue.stop() }
        for index in 0..<10 {
            queue.enqueue(try rig.deliver("o\(index).gz", [(racer: index, classId: 3, second: 1 + index, output: "60.5")]))
        }
        #expect(queue.drain() == [])
        #expect(queue.merger.totals.objects == 10)
        #expect(queue.largestMerge <= 4)
        #expect(queue.mergeCount >= 3)
        #expect(try rig.historyJSON(3).count == 10)
    }

    @Test func startsFromTheHistoryFilesAlreadyWritten() throws {
        let rig = try MergeRig()
        defer { rig.remove() }
        try rig.merger().merge(keys: [try rig.deliver("a.gz", [(1, 4, 1, "100")])])
        let restarted = try rig.merger()
        #expect(restarted.table(classId: 4).best(racerId: 1, second: 1) == DecimalNumber(100))
        try restarted.merge(keys: [try rig.deliver("b.gz", [(1, 4, 1, "90"), (2, 4, 1, "80")])])
        #expect(try rig.historyJSON(4) == ["1": ["1": 100, "2": 80]])
    }

    /// The mirror (S3 with `--history`) gets the classes of every merge, and at start every
    /// class already on disk, so what a run could not write goes at the next.
    @Test func aMirrorGetsEachMergesClassesAndEverythingAtStart() throws {
        final class Recorder: HistoryMirror {
            let calls = Mutex<[[Int]]>([])
            func mirror(_ tables: [(classId: Int, table: HistoryTable)]) {
                calls.withLock { $0.append(tables.map(\.classId)) }
            }
        }
        let rig = try MergeRig()
        defer { rig.remove() }
        let first = Recorder()
        let merger = try HistoryMerger(deliveryBucket: rig.delivery, historyBucket: rig.history, store: rig.store, mirror: first)
        try merger.merge(keys: [try rig.deliver("a.gz", [(1, 4, 1, "100"), (2, 2, 1, "50")])])
        try merger.merge(keys: [try rig.deliver("b.gz", [(1, 4, 2, "90")])])
        #expect(first.calls.withLock { $0 } == [[2, 4], [4]])
        let restarted = Recorder()
        _ = try HistoryMerger(deliveryBucket: rig.delivery, historyBucket: rig.history, store: rig.store, mirror: restarted)
        #expect(restarted.calls.withLock { $0 } == [[2, 4]])
    }

    @Test func replaysObjectsDeliveredButNotMergedBeforeACrash() throws {
        let rig = try MergeRig()
        defer { rig.remove() }
        let merger = try rig.merger()
        try merger.merge(keys: [try rig.deliver("2023/a.gz", [(1, 1, 1, "100"), (1, 1, 2, "50")])])
        // Delivered, then the process died before the merger saw the event.
        try rig.deliver("2023/b.gz", [(1, 1, 2, "110"), (1, 1, 3, "70")])
        try rig.delivery.put(key: "processing-failed/2023/x.gz", bytes: Gzip.compress(Array("{}\n".utf8)))
        let restarted = try rig.merger()
        #expect(restarted.unmergedKeys() == ["2023/b.gz"])
        let report = try restarted.replayUnmerged()
        #expect(report.objects == 1)
        #expect(try restarted.replayUnmerged().objects == 0)
        let result = try rig.store.result(raceId: 5_666_666, classId: 1, racerId: 1)
        #expect(result?.totalOutput == 280)  // 100 + 110 + 70: second 2's 50 replaced, nothing doubled
        #expect(result?.secondsReported == 3)
        #expect(try rig.historyJSON(1) == ["1": ["1": 100], "2": ["1": 110], "3": ["1": 70]])
    }

    @Test func badRecordsAreSkippedWithReasonsAndTheRestMerged() throws {
        let rig = try MergeRig()
        defer { rig.remove() }
        let good = #"{"event":"update","deviceTimestamp":1,"second":1,"raceId":1,"name":"A","racerId":1,"classId":1,"cadence":60,"resistance":50,"output":108.75}"#
        let untransformed = #"{"event":"update","deviceTimestamp":1,"second":2,"raceId":1,"name":"A","racerId":1,"classId":1,"cadence":60,"resistance":50}"#
        try rig.delivery.put(key: "mixed.gz", bytes: Gzip.compress(Array("\(good)\nnot json\n\(untransformed)\n".utf8)))
        try rig.delivery.put(key: "broken.gz", bytes: Array("not gzip".utf8))
        let report = try rig.merger().merge(keys: ["mixed.gz", "broken.gz"])
        #expect(report.records == 1)
        #expect(report.skippedRecords == 2)
        #expect(report.unreadableObjects == 1)
        #expect(report.skipReasons == [
            "mixed.gz line 2: not valid JSON: unexpected 'n' at byte 0",
            "mixed.gz line 3: no output field (not a transformed record)",
            "broken.gz: not a valid gzip stream: incorrect header check",
        ])
        #expect(try rig.store.mergedObjectKeys() == ["mixed.gz"])
    }
}
