import Foundation
import StreamReading

/// Runs a command as the transformation function: the invocation event JSON
/// (as Firehose sends a Lambda) goes to its stdin, the answer JSON is read from
/// its stdout. An existing transform can be reused unchanged behind a small shim.
public struct ExternalProcessor: RecordProcessor {
    public let command: [String]
    public let deliveryStreamName: String
    public let streamName: String
    public let region: String
    public let timeoutSeconds: Double
    public var name: String { "external:" + command.joined(separator: " ") }

    public init(
        command: [String], deliveryStreamName: String = DeliveryStreamConfiguration.defaultName,
        streamName: String = "alleycat", region: String = "local", timeoutSeconds: Double = 60
    ) {
        precondition(!command.isEmpty, "an external processor needs a command")
        self.command = command
        self.deliveryStreamName = deliveryStreamName
        self.streamName = streamName
        self.region = region
        self.timeoutSeconds = timeoutSeconds
    }

    public func process(_ records: [ProcessorRecord]) throws(ProcessorError) -> ProcessedBatch {
        let event = invocationEvent(records)
        let output = try run(input: event)
        return try ProcessorAnswer.decode(output, for: records)
    }

    /// The event a Firehose data-transformation Lambda receives.
    func invocationEvent(_ records: [ProcessorRecord]) -> Data {
        let entries: [[String: Any]] = records.map { input in
            let record = input.record
            return [
                "recordId": String(input.recordId),
                "approximateArrivalTimestamp": record.approximateArrivalMillis,
                "data": Data(record.data).base64EncodedString(),
                "kinesisRecordMetadata": [
                    "sequenceNumber": record.sequenceNumber.description,
                    "subsequenceNumber": 0,
                    "partitionKey": record.partitionKey,
                    "shardId": record.shardId,
                    "approximateArrivalTimestamp": record.approximateArrivalMillis,
                ] as [String: Any],
            ]
        }
        let event: [String: Any] = [
            "invocationId": UUID().uuidString.lowercased(),
            "deliveryStreamArn": "arn:aws:firehose:\(region):000000000000:deliverystream/\(deliveryStreamName)",
            "sourceKinesisStreamArn": "arn:aws:kinesis:\(region):000000000000:stream/\(streamName)",
            "region": region,
            "records": entries,
        ]
        // Only strings, numbers, arrays and dictionaries: serialization cannot fail.
        return try! JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])
    }

    private func run(input: Data) throws(ProcessorError) -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw ProcessorError(code: "Lambda.FunctionError", message: "cannot start processor command \(command.joined(separator: " ")): \(error.localizedDescription)")
        }
        // Feed stdin and drain both outputs concurrently so a chatty command cannot deadlock on a full pipe.
        let group = DispatchGroup()
        let outputBox = DataBox()
        let errorBox = DataBox()
        DispatchQueue.global().async(group: group) {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        DispatchQueue.global().async(group: group) { outputBox.data = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile() }
        if group.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            process.terminate()
            group.wait()
            process.waitUntilExit()
            throw ProcessorError(code: "Lambda.FunctionError", message: "processor command did not answer within \(Int(timeoutSeconds)) s")
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
