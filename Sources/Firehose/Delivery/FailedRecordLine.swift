import Foundation
import StreamReading
import RaceModel

/// One line of a `processing-failed/` object: what failed, why, and the original bytes.
enum FailedRecordLine {
    static func append(
        record: StreamRecord, attemptsMade: Int, errorCode: String, errorMessage: String,
        attemptEndingMillis: Int64, processor: String, into out: inout [UInt8]
    ) {
        RecordWriter.appendLiteral("{\"attemptsMade\":", into: &out)
        DecimalNumber(attemptsMade).write(into: &out)
        RecordWriter.appendLiteral(",\"arrivalTimestamp\":", into: &out)
        DecimalNumber(mantissa: record.approximateArrivalMillis).write(into: &out)
        RecordWriter.appendLiteral(",\"errorCode\":", into: &out)
        RecordWriter.appendString(errorCode, into: &out)
        RecordWriter.appendLiteral(",\"errorMessage\":", into: &out)
        RecordWriter.appendString(errorMessage, into: &out)
        RecordWriter.appendLiteral(",\"attemptEndingTimestamp\":", into: &out)
        DecimalNumber(mantissa: attemptEndingMillis).write(into: &out)
        RecordWriter.appendLiteral(",\"rawData\":\"", into: &out)
        out.append(contentsOf: Data(record.data).base64EncodedString().utf8)
        RecordWriter.appendLiteral("\",\"processor\":", into: &out)
        RecordWriter.appendString(processor, into: &out)
        RecordWriter.appendLiteral("}\n", into: &out)
    }
}
