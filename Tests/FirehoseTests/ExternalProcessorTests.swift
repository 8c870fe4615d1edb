import Foundation
import KinesisStream
import RaceModel
import Storage
import StreamReading
import Testing
@testable import Firehose

/// A transform in Python with the Lambda contract, answering as `mode` says.
func pythonProcessor(_ mode: String) -> ExternalProcessor {
    let script = #"""
    import base64, json, sys
    event = json.load(sys.stdin)
    mode = sys.argv[1]
    assert event["deliveryStreamArn"].endswith("deliverystream/alleycat-data-firehose")
    out = []
    for r in event["records"]:
        data = json.loads(base64.b64decode(r["data"]))
        assert r["kinesisRecordMetadata"]["shardId"] == "shardId-000000000000"
        data["output"] = (data["cadence"] + 35) * (data["resistance"] + 65) / 100
        body = base64.b64encode((json.dumps(data, separators=(",", ":")) + "\n").encode()).decode()
        result = "Dropped" if data["racerId"] == 2 else "Ok"
        out.append({"recordId": r["recordId"], "result": result, "data": body})
    if mode == "count": out = out[1:]
    if mode == "unknown": out[0]["recordId"] = "999"
    if mode == "repeat": out[1]["recordId"] = out[0]["recordId"]
    if mode == "result": out[0]["result"] = "Maybe"
    if mode == "base64": out[0]["data"] = "@@@"
    if mode == "exit":
        sys.stderr.write("transform crashed\n"); sys.exit(3)
    print("not json" if mode == "text" else json.dumps({"records": out}))
    """#
    return ExternalProcessor(command: ["python3", "-c", script, mode])
}

@Suite struct ExternalProcessorTests {
    @Test func anExistingTransformRunsUnchanged() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try rig.firehose(processor: pythonProcessor("ok"))
        try rig.put([rider(1, cadence: "65", resistance: "35"), rider(2), rider(3, cadence: "61", resistance: "54")])
        firehose.pump()
        firehose.flush()
        let lines = try rig.lines(rig.keys()[0])
        #expect(lines.count == 3)
        #expect(lines[0].hasSuffix(#""cadence":65,"resistance":35,"output":100.0}"#))
        #expect(lines[1].hasSuffix(#""output":114.24}"#))
        #expect(firehose.metrics.dropped == 1)
        #expect(firehose.metrics.delivered == 2)
    }

    @Test(arguments: [
        ("count", "Lambda.MissingRecordId", "answer has 1 records for a batch of 2"),
        ("unknown", "Lambda.MissingRecordId", "answer names recordId \"999\", which is not in the batch"),
        ("repeat", "Lambda.DuplicatedRecordId", "answer names recordId \"0\" twice"),
        ("result", "Lambda.JsonProcessingException", "answer gives record \"0\" the result \"Maybe\", must be Ok, Dropped or ProcessingFailed"),
        ("base64", "Lambda.JsonProcessingException", "answer's data for record \"0\" is not valid base64"),
        ("text", "Lambda.JsonProcessingException", "answer is not a JSON object with a records array: not json\n"),
        ("exit", "Lambda.FunctionError", "processor command exited with status 3: transform crashed"),
    ])
    func malformedAnswersFailTheWholeBatch(mode: String, code: String, message: String) throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try rig.firehose(processor: pythonProcessor(mode), retries: 1)
        try rig.put([rider(1), rider(3)])
        firehose.pump()
        firehose.flush()
        #expect(rig.keys().isEmpty)
        let lines = try rig.lines(rig.keys(ObjectKeys.failedPrefix)[0]).dropLast().map(failedLine)
        #expect(lines.count == 2)
        for line in lines {
            #expect(line["errorCode"] as? String == code)
            #expect(line["errorMessage"] as? String == message)
            #expect(line["attemptsMade"] as? Int == 2)
        }
        #expect(firehose.metrics.invocationFailures == 2)
    }

    /// A command that exits without reading its (large) event fails the invocation; it
    /// does not end this process with SIGPIPE.
    @Test func aCommandThatDoesNotReadItsEventFailsTheBatch() throws {
        let rig = Rig()
        defer { rig.remove() }
        let firehose = try rig.firehose(processor: ExternalProcessor(command: ["/bin/sh", "-c", "exit 3"]), retries: 1)
        try rig.put((0..<3000).map { rider($0) })
        firehose.pump()
        firehose.flush()
        let lines = try rig.keys(ObjectKeys.failedPrefix).flatMap { try rig.lines($0).dropLast().map(failedLine) }
        #expect(lines.count == 3000)
        #expect(Set(lines.map { $0["errorMessage"] as! String }) == ["processor command exited with status 3"])
        #expect(firehose.metrics.invocationFailures == 2)
    }
}
