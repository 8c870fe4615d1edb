import StreamReading
import Testing

@Suite struct RecordSequenceTests {
    @Test func comparesAsNumbersWhateverTheWidth() throws {
        let padded = try #require(RecordSequence("000000000000000000000042"))
        #expect(padded == RecordSequence("42"))
        #expect(padded.description == "000000000000000000000042")
        #expect(padded.value == 42)
        #expect(RecordSequence(42, width: 24) == padded)
        #expect(RecordSequence("9")! < RecordSequence("10")!)
        // Kinesis's: 56 digits, past what an integer holds.
        let kinesis = try #require(RecordSequence("49590338271490256608559692538361571095921575989136588898"))
        let next = try #require(RecordSequence("49590338271490256608559692538361571095921575989136588899"))
        #expect(kinesis < next)
        #expect(kinesis.value == nil)
        #expect(RecordSequence("0049590338271490256608559692538361571095921575989136588898") == kinesis)
        #expect(RecordSequence(UInt128.max) < kinesis)
        #expect(Set([kinesis, next, kinesis]).count == 2)
        #expect(kinesis.description == "49590338271490256608559692538361571095921575989136588898")
    }

    @Test func refusesWhatIsNotDigits() {
        #expect(RecordSequence("") == nil)
        #expect(RecordSequence("12a") == nil)
        #expect(RecordSequence("-1") == nil)
        #expect(RecordSequence(String(repeating: "1", count: 130)) == nil)
        #expect(RecordSequence(String(repeating: "1", count: 129)) != nil)
    }
}
