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

    static let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/alleycat"

    @Test func cborRequestCorpusReplays() throws {
        let files = try inputs("corpus", "fuzz-cbor-request")
        #expect(files.count == 16)
        var outcomes: [String: CBORRequestCheck.Outcome] = [:]
        for file in files {
            outcomes[name(file)] = CBORRequestCheck.run(try CorpusReplay.contents(file))
        }
        let record = "eyJldmVudCI6InVwZGF0ZSIsImRldmljZVRpbWVzdGFtcCI6MTcwMDAwMDAwMDAwMCwic2Vjb25kIjoxMiwicmFjZUlkIjo1NjY2NjY2LCJuYW1lIjoiQWxpY2UiLCJyYWNlcklkIjoxMjMsImNsYXNzSWQiOjMsImNhZGVuY2UiOjYxLjUsInJlc2lzdGFuY2UiOjU0fQ=="
        #expect(outcomes == [
            "putrecord": .transcoded(#"{"StreamName":"alleycat","Data":"\#(record)","PartitionKey":"racer-123"}"#),
            "putrecords-two": .transcoded(
                #"{"StreamARN":"\#(Self.arn)","Records":[{"Data":"eA==","PartitionKey":"a"},{"Data":"AP8K","PartitionKey":"é\"\n","ExplicitHashKey":"0"}]}"#),
            "getrecords": .transcoded(#"{"ShardIterator":"AQAAAAAAAAAAAAAAAQAAAZrNSzs4U+dbLJQy+XI=","Limit":100}"#),
            "iterator-at-timestamp": .transcoded(
                #"{"StreamName":"alleycat","ShardId":"shardId-000000000001","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1764380851.500}"#),
            "listshards-nested-filter": .transcoded(
                #"{"StreamARN":"\#(Self.arn)","MaxResults":1,"ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":-1.500}}"#),
            "indefinite-lengths": .transcoded(#"{"StreamName":"alleycat","Records":[{"Data":"AQID","PartitionKey":"k"}]}"#),
            "numbers-and-simple-values": .transcoded(
                #"{"Limit":1.5,"Half":1.5,"Single":100000.0,"Ints":[0,23,24,18446744073709551615,-1,-18446744073709551616],"#
                    + #""Flags":[true,false,null,null],"Tagged":"http://www.example.com"}"#),
            "malformed-truncated": .refused("CBOR: a text string at byte 192 declares 9 bytes but 5 are left"),
            "malformed-trailing-byte": .refused("CBOR: 1 byte after the end of the item (from byte 21): send one CBOR data item"),
            "malformed-depth-65": .refused("CBOR: an array at byte 64 nests deeper than 64 levels"),
            "malformed-invalid-utf8": .refused("CBOR: a text string at byte 12 is not valid UTF-8"),
            "malformed-length-beyond-end": .refused("CBOR: a text string at byte 12 declares 4000000000 bytes but 8 are left"),
            "malformed-lone-break": .refused("CBOR: a break (0xFF) at byte 12 is outside any indefinite-length item"),
            "refused-nan": .refused("CBOR: a half-precision float at byte 7 is NaN, which JSON has no number for"),
            "refused-integer-key": .refused("CBOR: a map key at byte 1 is an unsigned integer: the Kinesis API's maps have text keys"),
            "refused-seconds-timestamp": .refused(
                "CBOR: tag 1 (epoch timestamp) at byte 11 holds a double-precision float: send an integer of epoch milliseconds, as the AWS SDKs do"),
        ])
    }

    /// The JSON the CBOR seeds of API requests become is what the API answers (the action
    /// byte in front, as the Kinesis target's inputs have it).
    @Test func cborRequestSeedsBecomeRequestsTheAPIAnswers() throws {
        let actions = ["putrecord": "0", "putrecords-two": "1", "indefinite-lengths": "1", "listshards-nested-filter": "2", "iterator-at-timestamp": "4", "getrecords": "5"]
        var outcomes: [String: String] = [:]
        for (seed, action) in actions {
            guard case let .transcoded(json) = CBORRequestCheck.run(try CorpusReplay.contents("\(fuzzFolder)/corpus/fuzz-cbor-request/\(seed)")) else {
                Issue.record("\(seed) was refused")
                continue
            }
            switch KinesisRequestCheck.run(Array((action + json).utf8)) {
            case .empty: outcomes[seed] = "empty"
            case let .answered(action): outcomes[seed] = "\(action.rawValue) answered"
            case let .refused(action, type): outcomes[seed] = "\(action.rawValue) \(type)"
            }
        }
        #expect(outcomes == [
            "putrecord": "PutRecord answered", "putrecords-two": "PutRecords answered", "indefinite-lengths": "PutRecords answered",
            "listshards-nested-filter": "ListShards answered", "iterator-at-timestamp": "GetShardIterator answered", "getrecords": "GetRecords answered",
        ])
    }

    @Test func mqttPacketCorpusReplays() throws {
        let files = try inputs("corpus", "fuzz-mqtt-packet")
        #expect(files.count == 20)
        var outcomes: [String: MQTTPacketCheck.Outcome] = [:]
        for file in files {
            outcomes[name(file)] = MQTTPacketCheck.run(try CorpusReplay.contents(file))
        }
        #expect(outcomes == [
            "connect-clean-session": .read(packets: 1, incompleteTail: false),
            "connect-will-credentials": .read(packets: 1, incompleteTail: false),
            "connack-session-present": .read(packets: 1, incompleteTail: false),
            "publish-qos0": .read(packets: 1, incompleteTail: false),
            "publish-qos1": .read(packets: 1, incompleteTail: false),
            "publish-qos2-dup-retain": .read(packets: 1, incompleteTail: false),
            "puback": .read(packets: 1, incompleteTail: false),
            "pubrec-pubrel-pubcomp": .read(packets: 3, incompleteTail: false),
            "subscribe-three-filters": .read(packets: 1, incompleteTail: false),
            "suback-every-code": .read(packets: 1, incompleteTail: false),
            "unsubscribe-two-filters": .read(packets: 1, incompleteTail: false),
            "unsuback": .read(packets: 1, incompleteTail: false),
            "ping-disconnect": .read(packets: 3, incompleteTail: false),
            "stream-session": .read(packets: 5, incompleteTail: false),
            "truncated-publish": .read(packets: 0, incompleteTail: true),
            "length-4-bytes-over-limit": .refused(packets: 0, "a packet of 2097157 bytes is over the limit of 2048"),
            "length-5-bytes": .refused(packets: 0, "the remaining length has more than 4 bytes (MQTT 3.1.1 §2.2.3)"),
            "length-not-shortest": .refused(
                packets: 0, "the remaining length 2 is written in 2 bytes, not in its shortest form of 1 (MQTT 3.1.1 §2.2.3)"),
            "publish-wildcard-topic": .refused(packets: 0, "PUBLISH: the topic name contains the wildcard '+' (MQTT 3.1.1 §3.3.2.1)"),
            "stream-then-reserved-type": .refused(packets: 2, "the first byte 0xF0 has packet type 15, which is reserved (MQTT 3.1.1 §2.2.1)"),
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

    @Test func cborRequestCrashInputsReplay() async throws {
        let files = try inputs("crashes", "fuzz-cbor-request")
        #expect(files.count == 0)
        for file in files {
            let input = try CorpusReplay.contents(file)
            await replay(file) { await #expect(processExitsWith: .success, "\(file)") { [input = input as [UInt8]] in CBORRequestCheck.run(input) } }
        }
    }

    @Test func mqttPacketCrashInputsReplay() async throws {
        let files = try inputs("crashes", "fuzz-mqtt-packet")
        #expect(files.count == 0)
        for file in files {
            let input = try CorpusReplay.contents(file)
            await replay(file) { await #expect(processExitsWith: .success, "\(file)") { [input = input as [UInt8]] in MQTTPacketCheck.run(input) } }
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
        // The byte is taken modulo the number of actions (33), from "0".
        #expect(KinesisAPI.Action.allCases.count == 33)
        #expect(KinesisRequestCheck.run(Array(#"T{"StreamName":"alleycat"}"#.utf8)) == .answered(.describeStreamSummary))
        #expect(KinesisRequestCheck.run(Array(#"7{"StreamName":"alleycat"}"#.utf8)) == .answered(.describeStream))
        #expect(KinesisRequestCheck.run(Array("0".utf8)) == .refused(.putRecord, "SerializationException"))
    }

    @Test func cborCheckTellsTranscodedFromRefused() {
        #expect(CBORRequestCheck.run([0xA1, 0x61, 0x61, 0xF5]) == .transcoded(#"{"a":true}"#))
        #expect(CBORRequestCheck.run([]) == .refused("CBOR: the body is empty: send one CBOR data item"))
        // A timestamp member 64 objects deep goes back as a tag at level 65, which the check allows.
        let deep = Array(repeating: [UInt8]([0xA1, 0x61, 0x61]), count: 63).flatMap { $0 } + [0xA1, 0x69] + Array("StartedAt".utf8) + [0x01]
        #expect(CBORRequestCheck.run(deep) == .transcoded(String(repeating: #"{"a":"#, count: 63) + #"{"StartedAt":1}"# + String(repeating: "}", count: 63)))
    }

    @Test func mqttCheckTellsReadFromRefused() {
        #expect(MQTTPacketCheck.run([]) == .read(packets: 0, incompleteTail: false))
        #expect(MQTTPacketCheck.run([0xC0, 0x00, 0xD0, 0x00]) == .read(packets: 2, incompleteTail: false))
        #expect(MQTTPacketCheck.run([0xC0, 0x00, 0x30]) == .read(packets: 1, incompleteTail: true))
        #expect(MQTTPacketCheck.run([0xC0, 0x00, 0x40, 0x02, 0x00, 0x00]) == .refused(packets: 1, "PUBACK: the packet identifier is 0, must be nonzero (MQTT 3.1.1 §2.3.1)"))
        // The check's limit is 2048 bytes a packet, so that inputs of a few KB reach it.
        #expect(MQTTPacketCheck.run([0x30, 0xFE, 0x0F]) == .refused(packets: 0, "a packet of 2049 bytes is over the limit of 2048"))
        #expect(MQTTPacketCheck.run([0x30, 0xFD, 0x0F]) == .read(packets: 0, incompleteTail: true))
    }

    @Test func replayRefusesAMissingPath() {
        #expect(throws: CorpusReplay.Failure.self) { try CorpusReplay.files(["\(fuzzFolder)/no-such-folder"]) }
        #expect(CorpusReplay.main(target: "fuzz-record-parser", arguments: [], check: { _ in }) == 64)
    }
}
