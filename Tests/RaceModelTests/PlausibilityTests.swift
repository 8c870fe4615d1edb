import Foundation
import Testing
@testable import RaceModel

@Suite struct PlausibilityTests {
    @Test(arguments: [
        (114.24, "114.24"), (100.0, "100"), (0.05, "0.05"), (11022.0, "11022"), (1e-05, "0.00001"), (123456.789012345, "123456.789012345"),
        (2.5e17, "250000000000000000"), (1.0000000000000002, "1.0000000000000002"), (12345678901.234567, "12345678901.234568"),
    ])
    func shortestDecimalOfADouble(value: Double, text: String) {
        #expect(DecimalNumber(shortest: value).description == text)
    }

    @Test func everyOutputOfOneDecimalPlaceComesBackFromItsDouble() {
        // Simulated riders send tenths: every output they can make survives the store's Float64.
        for cadence in stride(from: 0, through: 2000, by: 7) {
            for resistance in stride(from: 0, through: 1000, by: 3) {
                let output = DecimalNumber.output(cadence: DecimalNumber(mantissa: Int64(cadence), scale: 1), resistance: DecimalNumber(mantissa: Int64(resistance), scale: 1))
                #expect(DecimalNumber(shortest: output.doubleValue) == output)
            }
        }
    }

    @Test func theDefaultsAndTheirMessages() {
        let limits = Plausibility.standard
        #expect(limits.check(classId: 2, cadence: DecimalNumber(200), resistance: DecimalNumber(100)) == nil)
        #expect(limits.check(classId: 2, cadence: DecimalNumber(mantissa: 2001, scale: 1), resistance: DecimalNumber(1))?.description
            == "cadence is 200.1, above class 2's plausibility limit of 200 rpm")
        #expect(limits.check(classId: 6, cadence: DecimalNumber(1), resistance: DecimalNumber(1000))?.description
            == "resistance is 1000, above class 6's plausibility limit of 100")
        #expect(limits.checkJump(classId: 1, output: DecimalNumber(200), previousSecond: 4, previousOutput: DecimalNumber(100)) == nil)
        // A change of exactly the limit, down, is within it.
        #expect(limits.checkJump(classId: 1, output: DecimalNumber(mantissa: 5, scale: 1), previousSecond: 4, previousOutput: DecimalNumber(mantissa: 1005, scale: 1)) == nil)
        #expect(limits.checkJump(classId: 1, output: DecimalNumber(mantissa: 4, scale: 1), previousSecond: 4, previousOutput: DecimalNumber(mantissa: 1005, scale: 1))?.description
            == "output is 0.4, a change of 100.1 from second 4's 100.5, above class 1's plausibility limit of 100 a second")
        #expect(limits.checkJump(classId: 3, output: DecimalNumber(mantissa: 32175, scale: 2), previousSecond: 1, previousOutput: DecimalNumber(mantissa: 10925, scale: 2))?.description
            == "output is 321.75, a change of 212.5 from second 1's 109.25, above class 3's plausibility limit of 100 a second")
    }

    @Test func aFileSetsEveryClassThenEachClass() throws {
        let limits = try Plausibility.decode(Data(#"{"cadence": 220, "classes": {"6": {"outputJump": 150.5, "resistance": 90}}}"#.utf8), path: "l.json")
        for classId in 1...5 {
            #expect(limits.limits(classId: classId) == PlausibilityLimits(cadence: DecimalNumber(220), resistance: DecimalNumber(100), outputJump: DecimalNumber(100)))
        }
        #expect(limits.limits(classId: 6) == PlausibilityLimits(cadence: DecimalNumber(220), resistance: DecimalNumber(90), outputJump: DecimalNumber(mantissa: 1505, scale: 1)))
        #expect(try Plausibility.load(path: "/nonexistent/limits.json") == .standard)
    }

    @Test(arguments: [
        (#"{"cadance": 200}"#, "has an unknown key cadance: the keys are cadence, resistance, outputJump and classes"),
        (#"{"classes": {"3": {"classes": {}}}}"#, "has an unknown key classes.3.classes: the keys are cadence, resistance, outputJump"),
        (#"{"classes": {"7": {"cadence": 1}}}"#, "has classes.7: classes are 1 to 6"),
        (#"{"cadence": "200"}"#, "has cadence that is not a number"),
        (#"{"classes": {"2": {"resistance": true}}}"#, "has classes.2.resistance that is not a number"),
        (#"{"classes": [1]}"#, "has classes that is not an object"),
        (#"{"outputJump": -1}"#, "has outputJump = -1.0: a limit is a number from 0 to 1000000"),
        (#"[200]"#, "must be a JSON object"),
        (#"{"cadence": 2"#, "is not valid JSON"),
    ])
    func aBadFileSaysWhatToFix(text: String, reason: String) {
        #expect(throws: PlausibilityFileError(path: "/etc/l.json", reason: reason)) {
            try Plausibility.decode(Data(text.utf8), path: "/etc/l.json")
        }
    }
}
