import Foundation

/// Checks of a processor's answer against its batch. Any failure fails the whole
/// invocation, as Firehose does, with the Lambda.* code Firehose would report.
public enum ProcessorAnswer {
    /// Decodes an answer JSON `{"records":[{"recordId","result","data"}]}`.
    public static func decode(_ json: Data, for records: [ProcessorRecord]) throws(ProcessorError) -> ProcessedBatch {
        guard let object = try? JSONSerialization.jsonObject(with: json),
              let answer = object as? [String: Any],
              let entries = answer["records"] as? [Any]
        else {
            let shown = String(decoding: json.prefix(120), as: UTF8.self)
            throw ProcessorError(code: "Lambda.JsonProcessingException", message: "answer is not a JSON object with a records array: \(shown.isEmpty ? "(empty output)" : shown)")
        }
        var batch = ProcessedBatch()
        for (index, item) in entries.enumerated() {
            guard let entry = item as? [String: Any], let recordId = entry["recordId"] as? String else {
                throw ProcessorError(code: "Lambda.MissingRecordId", message: "answer record \(index) has no recordId string")
            }
            guard let resultText = entry["result"] as? String, let result = ProcessingResult(rawValue: resultText) else {
                let shown = entry["result"].map { "\($0)" } ?? "nothing"
                throw ProcessorError(code: "Lambda.JsonProcessingException", message: "answer gives record \"\(recordId)\" the result \"\(shown)\", must be Ok, Dropped or ProcessingFailed")
            }
            var data = Data()
            if result != .dropped || entry["data"] != nil {
                guard let text = entry["data"] as? String, let decoded = Data(base64Encoded: text) else {
                    throw ProcessorError(code: "Lambda.JsonProcessingException", message: "answer's data for record \"\(recordId)\" is not valid base64")
                }
                data = decoded
            }
            guard let id = Int(recordId) else {
                throw ProcessorError(code: "Lambda.MissingRecordId", message: "answer names recordId \"\(recordId)\", which is not in the batch")
            }
            let start = batch.bytes.count
            batch.bytes.append(contentsOf: data)
            batch.entries.append(.init(recordId: id, result: result, range: start..<batch.bytes.count, errorMessage: entry["errorMessage"] as? String))
        }
        try check(batch, against: records)
        return batch
    }

    /// One entry per record, each recordId of the batch exactly once.
    public static func check(_ batch: ProcessedBatch, against records: [ProcessorRecord]) throws(ProcessorError) {
        if batch.entries.count != records.count {
            throw ProcessorError(code: "Lambda.MissingRecordId", message: "answer has \(batch.entries.count) records for a batch of \(records.count)")
        }
        let expected = Set(records.map(\.recordId))
        var seen = Set<Int>()
        for entry in batch.entries {
            guard expected.contains(entry.recordId) else {
                throw ProcessorError(code: "Lambda.MissingRecordId", message: "answer names recordId \"\(entry.recordId)\", which is not in the batch")
            }
            guard seen.insert(entry.recordId).inserted else {
                throw ProcessorError(code: "Lambda.DuplicatedRecordId", message: "answer names recordId \"\(entry.recordId)\" twice")
            }
        }
    }
}
