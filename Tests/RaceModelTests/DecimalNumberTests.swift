import Testing
@testable import RaceModel

@Suite struct DecimalNumberTests {
    @Test(arguments: [
        (DecimalNumber(mantissa: 0), "0"), (DecimalNumber(mantissa: 5, scale: 2), "0.05"),
        (DecimalNumber(mantissa: -615, scale: 1), "-61.5"), (DecimalNumber(mantissa: 6150, scale: 2), "61.50"),
        (DecimalNumber(mantissa: Int64.min), "-9223372036854775808"), (DecimalNumber(mantissa: 1, scale: 18), "0.000000000000000001"),
    ])
    func writesDigits(number: DecimalNumber, text: String) {
        #expect(number.description == text)
    }

    @Test(arguments: [
        (61, 54, "114.24"), (30, 33, "63.7"), (90, 86, "188.75"), (65, 35, "100"), (0, 0, "22.75"),
    ])
    func outputFormulaOnWholeNumbers(cadence: Int, resistance: Int, output: String) {
        #expect(DecimalNumber.output(cadence: DecimalNumber(cadence), resistance: DecimalNumber(resistance)).description == output)
    }

    @Test func outputIsExactOnDecimals() {
        // (61.3 + 35) × (54.7 + 65) / 100 = 96.3 × 119.7 / 100 = 115.2711
        let output = DecimalNumber.output(cadence: DecimalNumber(mantissa: 613, scale: 1), resistance: DecimalNumber(mantissa: 547, scale: 1))
        #expect(output == DecimalNumber(mantissa: 1_152_711, scale: 4))
    }

    @Test func outputFallsBackToNinePlacesWhenTooPrecise() {
        let cadence = DecimalNumber(mantissa: 100_000_000_000_000_001, scale: 17)  // 1.00000000000000001
        let output = DecimalNumber.output(cadence: cadence, resistance: DecimalNumber(mantissa: 1, scale: 18))
        // (36.00000000000000001) × (65.000000000000000001) / 100 ≈ 23.4
        #expect(output == DecimalNumber(mantissa: 234, scale: 1))
    }

    @Test func anExactOutputOfNineteenDigitsIsRoundedToNinePlaces() throws {
        // 96.25 × 65.0000000000001 / 100 = 62.56250000000009625: 19 significant digits fit an
        // Int64 but not the record format (found by fuzz-record-parser).
        let output = DecimalNumber.output(cadence: DecimalNumber(mantissa: 6125, scale: 2), resistance: DecimalNumber(mantissa: 1, scale: 13))
        #expect(output == DecimalNumber(mantissa: 625_625, scale: 4))
        let record = Array(#"{"event":"update","deviceTimestamp":1,"second":12,"raceId":5666,"name":"Alice","racerId":123,"classId":3,"cadence":61.25,"resistance":0.0000000000001}"#.utf8)
        let transformed = try RecordTransform.transform(record)
        #expect(String(decoding: transformed, as: UTF8.self).contains(#""output":62.5625"#))
        #expect(try RecordParser.parse(Array(transformed.dropLast())).output == DecimalNumber(mantissa: 625_625, scale: 4))
    }

    @Test func comparesAcrossScales() {
        #expect(DecimalNumber(mantissa: 1145, scale: 1) > DecimalNumber(mantissa: 11424, scale: 2))
        #expect(DecimalNumber(mantissa: 100, scale: 2) == DecimalNumber(mantissa: 100, scale: 2))
        #expect(!(DecimalNumber(mantissa: 100, scale: 2) < DecimalNumber(1)))
        #expect(DecimalNumber(mantissa: 11424, scale: 2).doubleValue == 114.24)
    }

    @Test func writesLikeAReferenceFormatterForManyValues() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<20_000 {
            let digits = Int(rng.next() % 19) + 1
            var mantissa = Int64(rng.next() % UInt64(DecimalNumber.integerPowersOfTen[min(digits, 18)]))
            if rng.next() % 3 == 0 { mantissa = -mantissa }
            let scale = Int8(rng.next() % 19)
            let number = DecimalNumber(mantissa: mantissa, scale: scale)
            // Reference: the magnitude's digits, zero-padded, with a point inserted.
            var text = String(mantissa.magnitude)
            if scale > 0 {
                text = String(repeating: "0", count: max(0, Int(scale) + 1 - text.count)) + text
                text.insert(".", at: text.index(text.endIndex, offsetBy: -Int(scale)))
            }
            #expect(number.description == (mantissa < 0 ? "-" : "") + text)
        }
    }
}
