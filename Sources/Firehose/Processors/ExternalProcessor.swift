#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StreamReading

/// Runs a command as the transformation function: the invocation event JSON
/// (as Firehose sends a Lambda) goes to its stdin, the answer JSON is read from
/// its stdout. An existing transform can be reused unchanged behind a small shim.
public struct ExternalProcessor: RecordProcessor {
    public let command: [String]
    public let event: InvocationEvent
    public let timeoutSeconds: Double
    public var name: String { "external:" + command.joined(separator: " ") }

    public init(command: [String], event: InvocationEvent = InvocationEvent(), timeoutSeconds: Double = 60) {
        precondition(!command.isEmpty, "an external processor needs a command")
        self.command = command
        self.event = event
        self.timeoutSeconds = timeoutSeconds
    }

    public func process(_ records: [ProcessorRecord]) throws(ProcessorError) -> ProcessedBatch {
        let output = try run(input: Data(event.json(records)))
        return try ProcessorAnswer.decode(output, for: records)
    }

    private func run(input: Data) throws(ProcessorError) -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        // stdin is a socket written with MSG_NOSIGNAL: a command that exits without reading
        // all of it fails its invocation, where a pipe would end this process with SIGPIPE.
        var stdin: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &stdin) == 0 else {
            throw ProcessorError(code: "Lambda.FunctionError", message: "cannot make a socket for the processor command's stdin: \(String(cString: strerror(errno)))")
        }
        let childInput = FileHandle(fileDescriptor: stdin[1], closeOnDealloc: true)
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = childInput
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
            try childInput.close()
        } catch {
            close(stdin[0])
            throw ProcessorError(code: "Lambda.FunctionError", message: "cannot start processor command \(command.joined(separator: " ")): \(error.localizedDescription)")
        }
        // Feed stdin and drain both outputs concurrently so a chatty command cannot deadlock on a full pipe.
        let group = DispatchGroup()
        let outputBox = DataBox()
        let errorBox = DataBox()
        let requests = stdin[0]
        DispatchQueue.global().async(group: group) {
            input.withUnsafeBytes { bytes in
                var sent = 0
                while sent < bytes.count {
                    let count = send(requests, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    sent += count
                }
            }
            close(requests)
        }
        DispatchQueue.global().async(group: group) { outputBox.data = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile() }
        if group.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            process.terminate()
            group.wait()
            process.waitUntilExit()
            throw ProcessorError(code: "Lambda.FunctionError", message: "processor command did not answer within \(LambdaProcessor.seconds(timeoutSeconds))")
        }
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let tail = String(decoding: errorBox.data.suffix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ProcessorError(
                code: "Lambda.FunctionError",
                message: "processor command exited with status \(process.terminationStatus)" + (tail.isEmpty ? "" : ": \(tail)"))
        }
        return outputBox.data
    }
}

/// Filled by one reader thread, read after the group is done.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
