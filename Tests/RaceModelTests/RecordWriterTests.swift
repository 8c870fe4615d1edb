import Testing
@testable import RaceModel

@Suite struct RecordWriterTests {
    @Test func writesTheCanonicalFieldOrder() {
        let message = RaceMessage(
            uuid: "u-1", event: .final, deviceTimestamp: 1_700_000_299_000, second: 300, raceId: 5_666_666,
            name: "Ana \"A\"\n", racerId: 7, classId: 2, cadence: DecimalNumber(mantissa: 905, scale: 1),
            resistance: DecimalNumber(33), output: DecimalNumber(mantissa: 12_1, scale: 1),
            unknownFields: Array(#""x":[1,{"y":null}]"#.utf8))
        #expect(String(decoding: RecordWriter.bytes(message), as: UTF8.self) == #"{"uuid":"u-1","event":"final","deviceTimestamp":1700000299000,"second":300,"raceId":5666666,"name":"Ana \"A\"\n","racerId":7,"classId":2,"cadence":90.5,"resistance":33,"x":[1,{"y":null}],"output":12.1}"#)
    }

    @Test func roundTripsByteForByteIncludingUnknownFields() throws {
        let texts = [
            sampleRecord,
            #"{"uuid":"9b2e","event":"final","deviceTimestamp":1,"second":300,"raceId":0,"name":"Zoë \\ \u0001","racerId":39999,"classId":6,"cadence":0.05,"resistance":86.0,"device":{"fw":"1.2"},"hr":[120,121],"output":22.9}"#,
        ]
        for text in texts {
            let message = try RecordParser.parse(Array(text.utf8))
            let written = RecordWriter.bytes(message)
            #expect(String(decoding: written, as: UTF8.self) == text)
            #expect(try RecordParser.parse(written) == message)
        }
    }

    @Test func escapesControlCharacters() {
        var out: [UInt8] = []
        RecordWriter.appendString("a\u{01}\t\r\\", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\u0001\t\r\\""#)
    }
}
