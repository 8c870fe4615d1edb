import StreamReading

/// Passes records through unchanged (no newline added), as Firehose does without a processor.
public struct PassThroughProcessor: RecordProcessor {
    public let name = "pass-through"

    public init() {}

    public func process(_ records: [ProcessorRecord]) throws(ProcessorError) -> ProcessedBatch {
        var batch = ProcessedBatch()
        for input in records {
            let start = batch.bytes.count
            batch.bytes.append(contentsOf: input.record.data)
            batch.entries.append(.init(recordId: input.recordId, result: .ok, range: start..<batch.bytes.count))
        }
        return batch
    }
}
