import Foundation
import KinesisStream
import RaceModel
import Storage
import StreamReading
import Testing
@testable import Firehose

/// Real handler files under real node and python3, through the shim.
@Suite struct LambdaProcessorTests {
    @Test(arguments: [
        ("async.js", OriginalTransform.nodeAsync, [
            #"{"event":"update","deviceTimestamp":1700000000000,"second":1,"raceId":5666666,"name":"Ana","racerId":1,"classId":1,"cadence":65,"resistance":35,"output":100}"#,
            #"{"event":"update","deviceTimestamp":1700000000000,"second":1,"raceId":5666666,"name":"Ana","racerId":3,"classId":1,"cadence":61,"resistance":54,"output":114.24}"#,
        ]),
        ("callback.js", OriginalTransform.nodeCallback, [
            #"{"event":"update","deviceTimestamp":1700000000000,"second":1,"raceId":5666666,"name":"Ana","racerId":1,"classId":1,"cadence":65,"resistance":35,"output":100}"#,
            #"{"event":"update","deviceTimestamp":1700000000000,"second":1,"raceId":5666666,"name":"Ana","racerId":3,"classId":1,"cadence":61,"resistance":54,"output":114.24}"#,
        ]),
        ("transform.py", OriginalTransform.python, [
            #"{"event": "update", "deviceTimestamp": 1700000000000, "second": 1, "raceId": 5666666, "name": "Ana", "racerId": 1, "classId": 1, "cadence": 65, "resistance": 35, "output": 100.0}"#,
            #"{"event": "update", "deviceTimestamp": 1700000000000, "second": 1, "raceId": 5666666, "name": "Ana", "racerId": 3, "classId": 1, "cadence": 61, "resistance": 54, "output": 114.24}"#,
        ]),
    ])
    func anUnchangedHandlerTransformsEveryBatch(file: String, source: String, expected: [String]) throws {
        let rig = Rig()
        let handlers = HandlerFolder()
        defer { rig.remove(); handlers.remove() }
        let processor = try LambdaProcessor(handler: LambdaHandler(handlers.write(file, source)))
        let firehose = try rig.firehose(processor: processor)
        // Two invocations of the same process: the second answer is not confused by the first's logs.
        try rig.put([rider(1, cadence: "65", resistance: "35")])
        firehose.pump()
        try rig.put([rider(3, cadence: "61", resistance: "54")])
        firehose.pump()
        firehose.flush()
        #expect(try rig.lines(rig.keys()[0]) == expected + [""])
        #expect(firehose.metrics.invocations == 2)
        #expect(firehose.metrics.invocationFailures == 0)
        #expect(firehose.metrics.delivered == 2)
        #expect(processor.name == "lambda:\(handlers.path)/\(file):handler")
    }

    @Test(arguments: [
        ("context.js", """
            exports.transform = async (event, context) => ({
              records: event.records.map((record) => ({
                recordId: record.recordId, result: 'Ok',
                data: Buffer.from(JSON.stringify([context.functionName, context.functionVersion, context.invokedFunctionArn,
                  context.memoryLimitInMB, context.awsRequestId, context.logGroupName, context.getRemainingTimeInMillis()])).toString('base64'),
              })),
            });
            """),
        ("context.py", """
            import base64, json

            def transform(event, context):
                fields = [context.function_name, context.function_version, context.invoked_function_arn,
                          context.memory_limit_in_mb, context.aws_request_id, context.log_group_name,
                          context.get_remaining_time_in_millis()]
                data = base64.b64encode(json.dumps(fields).encode()).decode()
                return {"records": [{"recordId": r["recordId"], "result": "Ok", "data": data} for r in event["records"]]}
            """),
    ])
    func theContextHasTheUsualFields(file: String, source: String) throws {
        let rig = Rig()
        let handlers = HandlerFolder()
        defer { rig.remove(); handlers.remove() }
        let processor = try LambdaProcessor(handler: LambdaHandler(handlers.write(file, source) + ":transform"), timeoutSeconds: 30)
        let firehose = try rig.firehose(processor: processor)
        try rig.put([rider(1)])
        firehose.pump()
        firehose.flush()
        let fields = try JSONSerialization.jsonObject(with: Data(rig.lines(rig.keys()[0])[0].utf8)) as! [Any]
        #expect(fields[0] as? String == "context")
        #expect(fields[1] as? String == "$LATEST")
        #expect(fields[2] as? String == "arn:aws:lambda:local:000000000000:function:context")
        #expect(fields[3] as? String == "128")
        #expect((fields[4] as? String).flatMap(UUID.init(uuidString:)) != nil)
        #expect(fields[5] as? String == "/aws/lambda/context")
        // Wall-clock time left of the 30 s the invocation has.
        #expect((1...30_000).contains(fields[6] as! Int))
    }

    /// A handler that throws, answers garbage or the wrong ids, or dies: the invocation
    /// fails, is retried, and its records are set aside with the reason; none is lost.
    @Test(arguments: [
        ("throws.js", "exports.handler = async () => { throw new TypeError('cadence is missing'); };",
         "Lambda.FunctionError", "the handler {file}:handler threw TypeError: cadence is missing"),
        ("callback-error.js", "exports.handler = (event, context, callback) => callback(new Error('no transform today'));",
         "Lambda.FunctionError", "the handler {file}:handler threw Error: no transform today"),
        ("raises.py", "def handler(event, context):\n    raise ValueError('bad record')\n",
         "Lambda.FunctionError", "the handler {file}:handler threw ValueError: bad record"),
        ("wrong-id.js", "exports.handler = async (event) => ({ records: event.records.map((r) => ({ recordId: '999', result: 'Ok', data: r.data })) });",
         "Lambda.MissingRecordId", "answer names recordId \"999\", which is not in the batch"),
        ("wrong-id.py", "def handler(event, context):\n    return {'records': [{'recordId': 'r' + r['recordId'], 'result': 'Ok', 'data': r['data']} for r in event['records']]}\n",
         "Lambda.MissingRecordId", "answer names recordId \"r0\", which is not in the batch"),
        ("garbage.js", "exports.handler = async () => 'nope';",
         "Lambda.JsonProcessingException", "answer is not a JSON object with a records array: \"nope\""),
        ("exits.js", "exports.handler = () => { console.error('out of memory'); process.exit(7); };",
         "Lambda.FunctionError", "the process of the handler {file}:handler exited with status 7 before answering; its last output: out of memory"),
    ])
    func aFailingHandlerSetsItsRecordsAsideWithTheReason(file: String, source: String, code: String, message: String) throws {
        let rig = Rig()
        let handlers = HandlerFolder()
        defer { rig.remove(); handlers.remove() }
        let path = handlers.write(file, source)
        let firehose = try rig.firehose(processor: LambdaProcessor(handler: LambdaHandler(path)), retries: 1)
        try rig.put([rider(1), rider(3)])
        firehose.pump()
        firehose.flush()
        #expect(rig.keys().isEmpty)
        let lines = try rig.lines(rig.keys(ObjectKeys.failedPrefix)[0]).dropLast().map(failedLine)
        #expect(lines.count == 2)
        for (line, racer) in zip(lines, [1, 3]) {
            #expect(line["errorCode"] as? String == code)
            #expect(line["errorMessage"] as? String == message.replacingOccurrences(of: "{file}", with: path))
            #expect(line["attemptsMade"] as? Int == 2)
            #expect(line["processor"] as? String == "lambda:\(path):handler")
            #expect(line["rawData"] as? String == Data(rider(racer).utf8).base64EncodedString())
        }
        #expect(firehose.metrics.invocationFailures == 2)
        #expect(firehose.metrics.failed == 2)
    }

    /// A handler that hangs is stopped at the timeout, one that dies is seen at once; either
    /// way the next invocation gets a new process and goes through.
    @Test(arguments: [
        ("hangs.js", "if (payload.racerId === 13) return new Promise(() => {});",
         "the handler {file}:handler did not answer within 0.5 s; its process was stopped and a new one takes the next invocation"),
        ("hangs.py", "if payload['racerId'] == 13: time.sleep(3600)",
         "the handler {file}:handler did not answer within 0.5 s; its process was stopped and a new one takes the next invocation"),
        ("dies.py", "if payload['racerId'] == 13: os.kill(os.getpid(), 9)",
         "the process of the handler {file}:handler was killed by signal 9 before answering"),
    ])
    func aHandlerThatHangsOrDiesIsReplaced(file: String, line: String, message: String) throws {
        let rig = Rig()
        let handlers = HandlerFolder()
        defer { rig.remove(); handlers.remove() }
        let source = file.hasSuffix(".js") ? """
            exports.handler = async (event) => {
              const payload = JSON.parse(Buffer.from(event.records[0].data, 'base64'));
              \(line)
              return { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) };
            };
            """ : """
            import base64, json, os, time

            def handler(event, context):
                payload = json.loads(base64.b64decode(event['records'][0]['data']))
                \(line)
                return {'records': [{'recordId': r['recordId'], 'result': 'Ok', 'data': r['data']} for r in event['records']]}
            """
        let path = handlers.write(file, source)
        let firehose = try rig.firehose(processor: LambdaProcessor(handler: LambdaHandler(path), timeoutSeconds: 0.5), retries: 1)
        try rig.put([rider(13)])
        firehose.pump()
        try rig.put([rider(1)])
        firehose.pump()
        firehose.flush()
        let failed = try rig.lines(rig.keys(ObjectKeys.failedPrefix)[0]).dropLast().map(failedLine)
        #expect(failed.count == 1)
        #expect(failed[0]["errorCode"] as? String == "Lambda.FunctionError")
        #expect(failed[0]["errorMessage"] as? String == message.replacingOccurrences(of: "{file}", with: path))
        // Passed through as it came (without a newline).
        #expect(try rig.lines(rig.keys()[0]) == [rider(1)])
        #expect(firehose.metrics.invocations == 3)
        #expect(firehose.metrics.invocationFailures == 2)
    }

    /// A buffer over 3 MiB goes to the handler in invocations of at most 3 MiB of record
    /// data each (the handler checks), and their answers make one delivery, in order.
    /// Loading has a limit of its own, as Lambda's init phase: a handler file slower to load
    /// than an invocation may take still runs; one that never loads is refused at start.
    @Test func loadingIsTimedApartFromTheInvocations() throws {
        let rig = Rig()
        let handlers = HandlerFolder()
        defer { rig.remove(); handlers.remove() }
        let slow = handlers.write("slow.py", """
            import time
            time.sleep(0.8)

            def handler(event, context):
                return {'records': [{'recordId': r['recordId'], 'result': 'Ok', 'data': r['data']} for r in event['records']]}
            """)
        let firehose = try rig.firehose(processor: LambdaProcessor(handler: LambdaHandler(slow), timeoutSeconds: 0.5))
        try rig.put([rider(1)])
        firehose.pump()
        firehose.flush()
        #expect(try rig.lines(rig.keys()[0]) == [rider(1)])
        #expect(firehose.metrics.invocationFailures == 0)

        let stuck = handlers.write("stuck.py", "import time\ntime.sleep(3600)\n")
        #expect(throws: LambdaSetupError.notLoaded(handler: stuck + ":handler", reason: "python3 did not load it within 0.3 s")) {
            try LambdaProcessor(handler: LambdaHandler(stuck), timeoutSeconds: 60, loadTimeoutSeconds: 0.3)
        }
    }

    @Test func bigBuffersAreSplitIntoInvocationsOfAtMostThreeMiB() throws {
        let rig = Rig()
        let handlers = HandlerFolder()
        defer { rig.remove(); handlers.remove() }
        let path = handlers.write("sizes.js", """
            exports.handler = async (event) => {
              const bytes = event.records.reduce((sum, r) => sum + Buffer.from(r.data, 'base64').length, 0);
              if (bytes > 3 * 1024 * 1024) throw new Error(`${bytes} bytes in one invocation`);
              return { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) };
            };
            """)
        let firehose = try rig.firehose(processor: LambdaProcessor(handler: LambdaHandler(path)), hints: BufferingHints(sizeInMBs: 8))
        try rig.put(bytes: Array(repeating: 100_000, count: 70))
        firehose.pump()
        firehose.flush()
        // 31 records (3,100,000 bytes) fit in 3 MiB: [31, 31, 8].
        #expect(firehose.metrics.invocations == 3)
        #expect(firehose.metrics.invocationFailures == 0)
        #expect(firehose.metrics.delivered == 70)
        #expect(try rig.lines(rig.keys()[0]) == [String(repeating: "a", count: 7_000_000)])
    }
}
