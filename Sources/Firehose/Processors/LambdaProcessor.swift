import Foundation
import RaceModel
import Synchronization

/// Runs a Lambda handler file unchanged as the transform: `exports.handler` of a Node
/// file or `handler(event, context)` of a Python one, in one long-running child (the
/// shim in `LambdaShim`) that takes each invocation's event as a line and answers it.
/// A child that dies or does not answer within `timeoutSeconds` fails that invocation
/// (the delivery stream retries it, then sets its records aside) and is replaced for
/// the next one. The timeout is on the wall clock: the child runs in real time even
/// when the pipeline runs on a virtual clock. Loading the handler has a limit of its own
/// (`loadTimeoutSeconds`, 10 s as Lambda's init phase), and a replacement child's load
/// does not count against the invocation it is started for.
public final class LambdaProcessor: RecordProcessor {
    public let handler: LambdaHandler
    public let event: InvocationEvent
    public let timeoutSeconds: Double
    public let loadTimeoutSeconds: Double
    public let name: String
    /// The running child; nil once it died or timed out, until the next invocation starts one.
    private let shim: Mutex<ShimProcess?>

    /// Starts the child and waits until it has loaded the handler, so a file that does
    /// not load or lacks the function fails here, at start.
    public init(
        handler: LambdaHandler, event: InvocationEvent = InvocationEvent(), timeoutSeconds: Double = 60, loadTimeoutSeconds: Double = 10
    ) throws(LambdaSetupError) {
        self.handler = handler
        self.event = event
        self.timeoutSeconds = timeoutSeconds
        self.loadTimeoutSeconds = loadTimeoutSeconds
        name = "lambda:" + handler.description
        do throws(ShimStartError) {
            shim = Mutex(try Self.start(handler, region: event.region, loadTimeout: loadTimeoutSeconds))
        } catch {
            throw .notLoaded(handler: handler.description, reason: error.description)
        }
    }

    public func process(_ records: [ProcessorRecord]) throws(ProcessorError) -> ProcessedBatch {
        var invocation: [UInt8] = []
        RecordWriter.appendLiteral(",\"event\":", into: &invocation)
        event.write(records, into: &invocation)
        RecordWriter.appendLiteral("}\n", into: &invocation)
        let answer: [UInt8] = try shim.withLock { shim throws(ProcessorError) in
            if shim?.hasExited ?? true {
                shim = nil
                do throws(ShimStartError) {
                    shim = try Self.start(handler, region: event.region, loadTimeout: loadTimeoutSeconds)
                } catch {
                    throw ProcessorError(code: "Lambda.FunctionError", message: "cannot start the handler \(handler) again: \(error)")
                }
            }
            // The invocation's time starts once a child is ready for it.
            let running = shim!
            var request: [UInt8] = []
            request.reserveCapacity(invocation.count + 96)
            RecordWriter.appendLiteral("{\"requestId\":", into: &request)
            RecordWriter.appendString(UUID().uuidString.lowercased(), into: &request)
            RecordWriter.appendLiteral(",\"deadlineMillis\":", into: &request)
            DecimalNumber(mantissa: SystemClock.realtimeMillis() + Int64(timeoutSeconds * 1000)).write(into: &request)
            request.append(contentsOf: invocation)
            switch running.exchange(request, deadlineNanos: SystemClock.monotonicNanos() + Int64(timeoutSeconds * 1e9)) {
            case let .line(line):
                if line.starts(with: Self.resultTag) { return Array(line.dropFirst(Self.resultTag.count)) }
                if let (type, message) = Self.errorAnswer(line) {
                    throw ProcessorError(code: "Lambda.FunctionError", message: "the handler \(handler) threw \(type): \(message)")
                }
                running.stop()
                shim = nil
                throw ProcessorError(
                    code: "Lambda.FunctionError",
                    message: "the handler \(handler) wrote \(Self.shown(line)) on the shim's answer channel (fd 3); its process was stopped and a new one takes the next invocation")
            case .timedOut:
                running.stop()
                shim = nil
                throw ProcessorError(
                    code: "Lambda.FunctionError",
                    message: "the handler \(handler) did not answer within \(Self.seconds(timeoutSeconds)); its process was stopped and a new one takes the next invocation")
            case .ended:
                shim = nil
                let output = running.output.text()
                throw ProcessorError(
                    code: "Lambda.FunctionError",
                    message: "the process of the handler \(handler) \(running.ending()) before answering" + (output.isEmpty ? "" : "; its last output: \(output)"))
            }
        }
        return try ProcessorAnswer.decode(Data(answer), for: records)
    }

    private static let resultTag = Array("result ".utf8)
    private static let errorTag = Array("error ".utf8)

    private static func start(_ handler: LambdaHandler, region: String, loadTimeout: Double) throws(ShimStartError) -> ShimProcess {
        let process = try ShimProcess(arguments: LambdaShim.arguments(for: handler, region: region))
        switch process.exchange([], deadlineNanos: SystemClock.monotonicNanos() + Int64(loadTimeout * 1e9)) {
        case let .line(line):
            if line == Array("ready".utf8) { return process }
            process.stop()
            if let (_, message) = errorAnswer(line) { throw ShimStartError(message) }
            throw ShimStartError("the shim wrote \(shown(line)) instead of ready")
        case .timedOut:
            process.stop()
            throw ShimStartError("\(handler.runtime.rawValue) did not load it within \(seconds(loadTimeout))")
        case .ended:
            let output = process.output.text()
            throw ShimStartError("\(handler.runtime.rawValue) \(process.ending()) while loading it" + (output.isEmpty ? "" : ": \(output)"))
        }
    }

    /// `error {"errorType","errorMessage"}`, as the shims report a failure.
    private static func errorAnswer(_ line: [UInt8]) -> (type: String, message: String)? {
        guard line.starts(with: errorTag),
              let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(errorTag.count))) as? [String: Any],
              let type = object["errorType"] as? String, let message = object["errorMessage"] as? String
        else { return nil }
        return (type, message)
    }

    private static func shown(_ line: [UInt8]) -> String {
        "'" + String(decoding: line.prefix(120), as: UTF8.self) + "'"
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
