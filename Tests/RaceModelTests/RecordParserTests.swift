import Testing
@testable import RaceModel

let sampleRecord = #"{"event":"update","deviceTimestamp":1700000000000,"second":12,"raceId":5666666,"name":"Alice","racerId":123,"classId":3,"cadence":61.5,"resistance":54}"#

func parse(_ text: String, rules: RecordRules = .standard) throws(RecordError) -> RaceMessage {
    try RecordParser.parse(Array(text.utf8), rules: rules)
}

func parseError(_ text: String, rules: RecordRules = .standard) -> String? {
    do {
        _ = try parse(text, rules: rules)
        return nil
    } catch {
        return error.description
    }
}

/// The sample with one member's raw value replaced (or the member removed when nil).
func sample(replacing field: String, with raw: String?) -> String {
    var members: [(String, String)] = [
        ("event", #""update""#), ("deviceTimestamp", "1700000000000"), ("second", "12"), ("raceId", "5666666"),
        ("name", #""Alice""#), ("racerId", "123"), ("classId", "3"), ("cadence", "61.5"), ("resistance", "54"),
    ]
    if let index = members.firstIndex(where: { $0.0 == field }) {
        if let raw { members[index].1 = raw } else { members.remove(at: index) }
    } else if let raw {
        members.append((field, raw))
    }
    return "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

@Suite struct RecordParserTests {
    @Test func parsesEveryField() throws {
        let message = try parse(sampleRecord)
        #expect(message == RaceMessage(
            event: .update, deviceTimestamp: 1_700_000_000_000, second: 12, raceId: 5_666_666, name: "Alice",
            racerId: 123, classId: 3, cadence: DecimalNumber(mantissa: 615, scale: 1), resistance: DecimalNumber(54)))
    }

    @Test func acceptsWhitespaceUuidFinalAndOutput() throws {
        let text = """
             { "uuid" : "3f1c", "event" : "final", "deviceTimestamp" : 0, "second" : 300, "raceId" : 0,
               "name" : "Zoë \\"Z\\" \\u00e9\\ud83d\\ude00", "racerId" : 0, "classId" : 6, "cadence" : 0, "resistance" : 0.25,
               "output" : 22.9 }\n
            """
        let message = try parse(text)
        #expect(message.uuid == "3f1c")
        #expect(message.event == .final)
        #expect(message.name == "Zoë \"Z\" é😀")
        #expect(message.resistance == DecimalNumber(mantissa: 25, scale: 2))
        #expect(message.output == DecimalNumber(mantissa: 229, scale: 1))
        #expect(message.unknownFields.isEmpty)
    }

    @Test func keepsUnknownFieldsVerbatimWithoutWhitespace() throws {
        let text = sample(replacing: "device", with: #" { "model" : "Bike 2", "tags" : [1, 2.5, true, null] } "#)
        let message = try parse(text)
        #expect(String(decoding: message.unknownFields, as: UTF8.self) == #""device":{"model":"Bike 2","tags":[1,2.5,true,null]}"#)
    }

    @Test func namesThatOnlyStartLikeKnownFieldsAreUnknownFields() throws {
        let text = sample(replacing: "secondary", with: "1").dropLast() + #","racer":2,"c":3,"\u0073econdx":4}"#
        let message = try parse(String(text))
        #expect(message.second == 12)
        #expect(String(decoding: message.unknownFields, as: UTF8.self) == #""secondary":1,"racer":2,"c":3,"\u0073econdx":4"#)
        // An escaped spelling of a known field still names it.
        #expect(try parse(sample(replacing: "second", with: nil).dropLast() + #","\u0073econd":7}"#).second == 7)
    }

    @Test func nullUuidIsAbsent() throws {
        #expect(try parse(sample(replacing: "uuid", with: "null")).uuid == nil)
    }

    @Test func raceIdMayBeAMillisecondTimestamp() throws {
        #expect(try parse(sample(replacing: "raceId", with: "1700000000000")).raceId == 1_700_000_000_000)
    }

    @Test func decimalsKeepTheirDigits() throws {
        #expect(try parse(sample(replacing: "cadence", with: "61.50")).cadence == DecimalNumber(mantissa: 6150, scale: 2))
        #expect(try parse(sample(replacing: "cadence", with: "0.05")).cadence == DecimalNumber(mantissa: 5, scale: 2))
        #expect(try parse(sample(replacing: "cadence", with: "6.15e1")).cadence == DecimalNumber(mantissa: 615, scale: 1))
        #expect(try parse(sample(replacing: "cadence", with: "6E2")).cadence == DecimalNumber(mantissa: 600, scale: 0))
    }

    @Test(arguments: [
        ("cadence", "-3", "cadence is -3, must be >= 0"),
        ("resistance", "-0.5", "resistance is -0.5, must be >= 0"),
        ("cadence", "1000.1", "cadence is 1000.1, must be <= 1000"),
        ("cadence", "1e400", "cadence is 1e400, must be <= 1000"),
        ("cadence", "NaN", "cadence is NaN, must be a finite number"),
        ("resistance", "-Infinity", "resistance is -Infinity, must be a finite number"),
        ("cadence", "1e-30", "cadence is 1e-30, must be a number with at most 18 significant digits and 18 decimal places"),
        ("second", "0", "second is 0, must be in 1...300"),
        ("second", "301", "second is 301, must be in 1...300"),
        ("second", "12.5", "second is 12.5, must be a whole number"),
        ("second", "1e1", "second is 1e1, must be a whole number"),
        ("classId", "7", "classId is 7, must be in 1...6"),
        ("classId", "0", "classId is 0, must be in 1...6"),
        ("racerId", "-1", "racerId is -1, must be >= 0"),
        ("raceId", "-5", "raceId is -5, must be >= 0"),
        ("deviceTimestamp", "-1", "deviceTimestamp is -1, must be >= 0"),
        ("racerId", "1234567890123456789", "racerId is 1234567890123456789, must be at most 18 digits"),
        ("cadence", #""fast""#, #"cadence is "fast", must be a number"#),
        ("racerId", "[1]", "racerId is [1], must be a whole number"),
        ("name", "42", "name is 42, must be a string"),
        ("uuid", "7", "uuid is 7, must be a string"),
        ("event", #""start""#, #"event is "start", must be "update" or "final""#),
        ("event", "true", #"event is true, must be "update" or "final""#),
        ("classId", nil, "missing field classId"),
        ("name", nil, "missing field name"),
    ] as [(String, String?, String)])
    func refusesWithFieldValueAndRule(field: String, raw: String?, message: String) {
        #expect(parseError(sample(replacing: field, with: raw)) == message)
    }

    @Test func raceLengthIsConfigurable() {
        #expect(parseError(sample(replacing: "second", with: "61"), rules: RecordRules(raceLength: 60)) == "second is 61, must be in 1...60")
    }

    @Test(arguments: [
        ("", "not valid JSON: empty record at byte 0"),
        ("   ", "not valid JSON: empty record at byte 3"),
        ("[1,2]", "not a JSON object: a record must be one {...} object"),
        ("hello", "not valid JSON: unexpected 'h' at byte 0"),
        (#"{"second":12"#, "not valid JSON: record ends inside the object at byte 12"),
        (#"{"second":12,}"#, "not valid JSON: unexpected '}', expected a field name in quotes at byte 13"),
        (#"{"second" 12}"#, "not valid JSON: unexpected '1', expected ':' at byte 10"),
        (#"{"second":012}"#, "not valid JSON: numbers must not have leading zeros at byte 11"),
        (#"{"name":"a"#, "not valid JSON: string is not closed at byte 8"),
        ("{\"name\":\"a\u{01}\"}", "not valid JSON: control character inside a string at byte 10"),
        (#"{"name":"\x"}"#, #"not valid JSON: unknown escape \x at byte 9"#),
        (#"{"name":"\ud800"}"#, "not valid JSON: unpaired surrogate in \\u escape at byte 15"),
        (#"{"x":tru}"#, "not valid JSON: unexpected 't' at byte 5"),
        (#"{} {}"#, "not valid JSON: unexpected '{', expected the end of the record at byte 3"),
        (#"{"second":1,"second":2}"#, "field second appears twice"),
        ("{}", "missing field event"),
    ])
    func refusesMalformedJSON(text: String, message: String) {
        #expect(parseError(text) == message)
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(parseError(sample(replacing: "deep", with: deep)) == "not valid JSON: nested more than 64 levels at byte 222")
    }

    @Test func refusesInvalidUTF8InName() {
        var bytes = Array(#"{"name":"A"#.utf8)
        bytes.append(0xFF)
        bytes.append(contentsOf: Array(#"","event":"update"}"#.utf8))
        #expect(throws: RecordError.malformed(offset: 9, reason: "name is not valid UTF-8")) {
            try RecordParser.parse(bytes)
        }
    }
}
