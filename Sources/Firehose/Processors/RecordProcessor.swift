import StreamReading

/// A record handed to a processor: the stream record and its id in this invocation.
public struct ProcessorRecord: Sendable {
    public let recordId: Int
    public let record: StreamRecord

    public init(recordId: Int, record: StreamRecord) {
        self.recordId = recordId
        self.record = record
    }
}

/// The transformation contract's per-record result.
public enum ProcessingResult: String, Sendable, Equatable {
    case ok = "Ok"
    case dropped = "Dropped"
    case processingFailed = "ProcessingFailed"
}

/// A processor's answer: one entry per input record, their data back to back in `bytes`.
public struct ProcessedBatch: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var recordId: Int
        public var result: ProcessingResult
        /// The entry's transformed data within `bytes`.
        public var range: Range<Int>
        /// Why a ProcessingFailed record failed, when the processor says.
        public var errorMessage: String?
        /// The record as the built-in processor read it, so the plausibility screen need not
        /// read it again; nil from other processors (the screen reads their output).
        public var message: ScreenedRecord?

        public init(recordId: Int, result: ProcessingResult, range: Range<Int>, errorMessage: String? = nil, message: ScreenedRecord? = nil) {
            self.recordId = recordId
            self.result = result
            self.range = range
            self.errorMessage = errorMessage
            self.message = message
        }
    }

    public var entries: [Entry] = []
    public var bytes: [UInt8] = []

    public init(entries: [Entry] = [], bytes: [UInt8] = []) {
        self.entries = entries
        self.bytes = bytes
    }
}

/// A whole invocation that failed; its records are retried, then set aside.
public struct ProcessorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// As Firehose names them: Lambda.FunctionError, Lambda.MissingRecordId, ...
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

/// The Lambda transformation contract, in process: one answer entry per record,
/// same recordIds, result Ok, Dropped or ProcessingFailed.
public protocol RecordProcessor: Sendable {
    /// Named in processing-failed lines.
    var name: String { get }
    func process(_ records: [ProcessorRecord]) throws(ProcessorError) -> ProcessedBatch
}
