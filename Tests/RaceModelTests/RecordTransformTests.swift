import Testing
@testable import RaceModel

@Suite struct RecordTransformTests {
    @Test func appendsOutputAndNewlineKeepingEveryByte() throws {
        let out = try RecordTransform.transform(Array((sampleRecord + "  \n").utf8))
        // (61.5 + 35) × (54 + 65) / 100 = 96.5 × 119 / 100 = 114.835
        #expect(String(decoding: out, as: UTF8.self) == String(sampleRecord.dropLast()) + #","output":114.835}"# + "\n")
    }

    @Test func keepsUnknownFieldsAndTheirSpacing() throws {
        let text = #"{"hr": 120, "event":"update","deviceTimestamp":1,"second":1,"raceId":1,"name":"A","racerId":1,"classId":1,"cadence":65,"resistance":35 }"#
        let out = try RecordTransform.transform(Array(text.utf8))
        #expect(String(decoding: out, as: UTF8.self) == #"{"hr": 120, "event":"update","deviceTimestamp":1,"second":1,"raceId":1,"name":"A","racerId":1,"classId":1,"cadence":65,"resistance":35 ,"output":100}"# + "\n")
    }

    @Test func replacesAnExistingOutput() throws {
        let out = try RecordTransform.transform(Array(sample(replacing: "output", with: "1").utf8))
        #expect(String(decoding: out, as: UTF8.self) == String(sampleRecord.dropLast()) + #","output":114.835}"# + "\n")
    }

    @Test func refusesABadRecordAndWritesNothing() {
        var out: [UInt8] = [1, 2]
        let bytes = Array(sample(replacing: "cadence", with: "-3").utf8)
        let result: Result<RaceMessage, RecordError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(RecordError) in try RecordTransform.transform(buffer, into: &out) }
        }
        #expect(throws: RecordError.outOfRange(field: "cadence", value: "-3", rule: ">= 0")) { try result.get() }
        #expect(out == [1, 2])
    }
}
