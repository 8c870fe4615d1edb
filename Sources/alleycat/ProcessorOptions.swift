import ArgumentParser
import Firehose

/// The firehose's transform, for `alleycat race` and `alleycat serve`: the built-in one,
/// a command with the Lambda contract on stdin and stdout, or a Lambda handler file.
struct ProcessorOptions: ParsableArguments {
    @Option(
        name: .customLong("processor-command"),
        help: ArgumentHelp(
            "Transform with this command instead of the built-in processor: run by /bin/sh -c once per invocation, it reads the Firehose Lambda event JSON on stdin and prints the answer JSON ({\"records\":[{\"recordId\",\"result\",\"data\"}]}) on stdout.",
            valueName: "CMD"))
    var command: String?

    @Option(
        name: .customLong("processor-lambda"),
        help: ArgumentHelp(
            "Transform with an unchanged Lambda handler: exports.handler (or HANDLER) of a .js file run by node, or handler(event, context) (or HANDLER) of a .py file run by python3, in one long-running process fed an invocation at a time.",
            valueName: "FILE[:HANDLER]"))
    var lambda: String?

    @Option(name: .customLong("processor-timeout"), help: "Seconds of wall clock an invocation of --processor-command or --processor-lambda may take; one that takes longer fails and is retried.")
    var timeout = 60.0

    func validate() throws {
        if command != nil && lambda != nil {
            throw ValidationError("--processor-command and --processor-lambda are exclusive: give one of them, or neither for the built-in processor")
        }
        if let command, command.allSatisfy(\.isWhitespace) {
            throw ValidationError("--processor-command needs a command, for example 'python3 transform.py'")
        }
        if !(timeout > 0 && timeout <= 900) {
            throw ValidationError("--processor-timeout must be more than 0 and at most 900 seconds (Lambda's limit), got \(timeout)")
        }
        if let lambda {
            do {
                _ = try LambdaHandler(lambda)
            } catch {
                throw ValidationError("--processor-lambda \(lambda): \(error)")
            }
        }
    }

    /// The processor to run (nil: the built-in one). A Lambda handler's process is started
    /// here, and a file that does not load fails the start.
    func processor(streamName: String) throws -> (any RecordProcessor)? {
        let event = InvocationEvent(streamName: streamName)
        if let command {
            return ExternalProcessor(command: ["/bin/sh", "-c", command], event: event, timeoutSeconds: timeout)
        }
        guard let lambda else { return nil }
        do {
            return try LambdaProcessor(handler: LambdaHandler(lambda), event: event, timeoutSeconds: timeout)
        } catch {
            throw UserError("--processor-lambda \(lambda): \(error)")
        }
    }
}
