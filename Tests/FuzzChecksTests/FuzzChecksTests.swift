import Foundation
import FuzzChecks
import KinesisAPI
import Testing

/// `Fuzz/` in this repository, found from this file's path.
private let fuzzFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fuzz").path

/// The files of `Fuzz/<kind>/<target>/`, none when the folder is not there.
private func inputs(_ kind: String, _ target: String) throws -> [String] {
    let folder = "\(fuzzFolder)/\(kind)/\(target)"
    guard FileManager.default.fileExists(atPath: folder) else { return [] }
    return try CorpusReplay.files([folder])
}

private func name(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }

/// Crash inputs whose bug in the project code is still open: file name → the bug.
/// `replay` expects these to crash; remove the entry with the fix.
private let openBugs: [String: String] = [:]

@Suite struct FuzzChecksTests {
    // MARK: The seed corpus (scripts/fuzz-seed.py writes it; these counts change with it)

    @Test func recordParserCorpusReplays() throws {
        let files = try inputs("corpus", "fuzz-record-parser")
        #expect(files.count == 30)
        var transformed: [String] = []
        for file in files where RecordParserCheck.run(try CorpusReplay.contents(file)) == .transformed {
            transformed.append(name(file))
        }
        // Every valid-* seed (and the writer's own output) goes through; every invalid-* one is refused.
        #expect(transformed == files.map(name).filter { $0.hasPrefix("valid-") || $0.hasPrefix("writer-") })
        #expect(transformed.count == 15)
    }

    @Test func kinesisRequestCorpusReplays() throws {
        let files = try inputs("corpus", "fuzz-kinesis-request")
        #expect(files.count == 26)
        var outcomes: [String: String] = [:]
        for file in files {
            switch KinesisRequestCheck.run(try CorpusReplay.contents(file)) {
            case .empty: outcomes[name(file)] = "empty"
            case let .answered(action): outcomes[name(file)] = "\(action.rawValue) answered"
            case let .refused(action, type): outcomes[name(file)] = "\(action.rawValue) \(type)"
            }
        }
        #expect(outcomes == [
            "putrecord-valid": "PutRecord answered",
            "putrecord-hash-key-ordering": "PutRecord answered",
            "putrecord-bad-base64": "PutRecord SerializationException",
            "putrecords-valid": "PutRecords answered",
            "putrecords-empty-list": "PutRecords ValidationException",
            "putrecords-missing-key": "PutRecords ValidationException",
            "listshards-valid": "ListShards answered",
            "listshards-filter": "ListShards answered",
            "listshards-bad-token": "ListShards ValidationException",
            "describe-by-name": "DescribeStreamSummary answered",
            "describe-by-arn": "DescribeStreamSummary answered",
            "describe-unknown-stream": "DescribeStreamSummary ResourceNotFoundException",
            "iterator-trim-horizon": "GetShardIterator answered",
            "iterator-at-sequence": "GetShardIterator answered",
            "iterator-at-timestamp": "GetShardIterator answered",
            "iterator-latest-unknown-shard": "GetShardIterator ResourceNotFoundException",
            "getrecords-shard-0": "GetRecords answered",
            "getrecords-shard-1-limit": "GetRecords answered",
            "getrecords-unknown-shard": "GetRecords ResourceNotFoundException",
            "getrecords-counter-max": "GetRecords answered",
            "getrecords-expired": "GetRecords ExpiredIteratorException",
            "malformed-truncated": "PutRecord SerializationException",
            "malformed-array-body": "PutRecords SerializationException",
            "malformed-empty-body": "DescribeStreamSummary SerializationException",
            "malformed-deep-nesting": "ListShards SerializationException",
            "malformed-lone-surrogate": "DescribeStreamSummary SerializationException",
        ])
    }

    // MARK: Crash inputs libFuzzer found (Fuzz/crashes/<target>/), each in its own process

    @Test func recordParserCrashInputsReplay() async throws {
        let files = try inputs("crashes", "fuzz-record-parser")
        #expect(files.count == 1)
        for file in files {
            let input = try CorpusReplay.contents(file)
            await replay(file) { await #expect(processExitsWith: .success, "\(file)") { [input = input as [UInt8]] in RecordParserCheck.run(input) } }
        }
    }

    @Test func kinesisRequestCrashInputsReplay() async throws {
        let files = try inputs("crashes", "fuzz-kinesis-request")
        #expect(files.count == 0)
        for file in files {
            let input = try CorpusReplay.contents(file)
            await replay(file) { await #expect(processExitsWith: .success, "\(file)") { [input = input as [UInt8]] in KinesisRequestCheck.run(input) } }
        }
    }

    /// Runs a crash input's exit test; one whose bug is still open is a known issue, so
    /// the suite passes until the fix, and then fails until its entry is removed.
    private func replay(_ file: String, _ exitTest: () async -> Void) async {
        if let bug = openBugs[name(file)] {
            await withKnownIssue(Comment(rawValue: bug)) { await exitTest() }
        } else {
            await exitTest()
        }
    }

    // MARK: The checks themselves

    @Test func recordCheckTellsTransformedFromRefused() {
        let record = #"{"event":"update","deviceTimestamp":1,"second":1,"raceId":1,"name":"A","racerId":1,"classId":1,"cadence":65,"resistance":35}"#
        #expect(RecordParserCheck.run(Array(record.utf8)) == .transformed)
        #expect(RecordParserCheck.run(Array("{".utf8)) == .refused)
        #expect(RecordParserCheck.run([]) == .refused)
    }

    @Test func kinesisCheckPicksTheActionFromTheFirstByte() {
        #expect(KinesisRequestCheck.run([]) == .empty)
        #expect(KinesisRequestCheck.run(Array(#"3{"StreamName":"alleycat"}"#.utf8)) == .answered(.describeStreamSummary))
        // The byte is taken modulo the number of actions (30), from "0".
        #expect(KinesisAPI.Action.allCases.count == 30)
        #expect(KinesisRequestCheck.run(Array(#"Q{"StreamName":"alleycat"}"#.utf8)) == .answered(.describeStreamSummary))
        #expect(KinesisRequestCheck.run(Array(#"7{"StreamName":"alleycat"}"#.utf8)) == .answered(.describeStream))
        #expect(KinesisRequestCheck.run(Array("0".utf8)) == .refused(.putRecord, "SerializationException"))
    }

    @Test func replayRefusesAMissingPath() {
        #expect(throws: CorpusReplay.Failure.self) { try CorpusReplay.files(["\(fuzzFolder)/no-such-folder"]) }
        #expect(CorpusReplay.main(target: "fuzz-record-parser", arguments: [], check: { _ in }) == 64)
    }
}
