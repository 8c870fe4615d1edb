import StreamReading
import RaceModel

/// The built-in transform: validates each rider record, adds
/// `output = (cadence + 35) * (resistance + 65) / 100` and a newline, and marks
/// a record it cannot read ProcessingFailed with the reason. Never fails a batch.
public struct AlleycatProcessor: RecordProcessor {
    public let rules: RecordRules
    public let name = "alleycat-output"

    public init(rules: RecordRules = .standard) {
        self.rules = rules
    }

    public func process(_ records: [ProcessorRecord]) throws(ProcessorError) -> ProcessedBatch {
        var batch = ProcessedBatch()
        batch.entries.reserveCapacity(records.count)
        batch.bytes.reserveCapacity(records.reduce(0) { $0 + $1.record.data.count + 24 })
        for input in records {
            let start = batch.bytes.count
            let outcome = input.record.data.withUnsafeBytes { raw -> Result<ScreenedRecord, RecordError> in
                do throws(RecordError) {
                    return .success(ScreenedRecord(try RecordTransform.transform(raw.bindMemory(to: UInt8.self), rules: rules, into: &batch.bytes)))
                } catch {
                    return .failure(error)
                }
            }
            switch outcome {
            case .failure(let failure):
                batch.bytes.append(contentsOf: input.record.data)
                batch.entries.append(.init(
                    recordId: input.recordId, result: .processingFailed, range: start..<batch.bytes.count,
                    errorMessage: failure.description))
            case .success(let message):
                batch.entries.append(.init(recordId: input.recordId, result: .ok, range: start..<batch.bytes.count, message: message))
            }
        }
        return batch
    }
}
