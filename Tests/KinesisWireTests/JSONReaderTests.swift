import KinesisWire
import Testing

@Suite struct JSONReaderTests {
    private func reader(_ text: String) -> JSONReader { JSONReader(Array(text.utf8)) }

    private func error(_ text: String, _ read: (inout JSONReader) throws -> Void) -> String? {
        var reader = reader(text)
        do {
            try read(&reader)
            try reader.finish()
            return nil
        } catch let error as WireError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func walksObjectsArraysAndScalars() throws {
        var reader = reader(#" { "a" : [1, -2, 3.5e1], "b": {"c": "d\u00e9"}, "e": true, "f": null, "g": false } "#)
        var seen: [String] = []
        try reader.readObject { reader, name in
            switch name {
            case "a":
                try reader.readArray { reader, index in
                    seen.append(index < 2 ? "a\(index)=\(try reader.readInteger(field: "a"))" : "a\(index)=\(try reader.readDouble())")
                }
            case "b":
                try reader.readObject { reader, name in seen.append("b.\(name)=\(try reader.readString())") }
            case "e", "g":
                seen.append("\(name)=\(try reader.readBool())")
            default:
                seen.append("\(name) null=\(reader.readNull())")
            }
        }
        try reader.finish()
        #expect(seen == ["a0=1", "a1=-2", "a2=35.0", "b.c=dé", "e=true", "f null=true", "g=false"])
    }

    @Test func unescapesEveryEscapeAndSurrogatePairs() throws {
        var reader = reader(#""\"\\\/\b\f\n\r\t\u0041\ud83d\ude00""#)
        #expect(try reader.readString() == "\"\\/\u{8}\u{c}\n\r\tA😀")
    }

    @Test func decodesBase64InPlace() throws {
        var reader = reader(#"["aGk=", "aGk"]"#)
        var decoded: [[UInt8]] = []
        let message = error(#"["aGk=", "aGk"]"#) { reader in
            try reader.readArray { reader, index in decoded.append(try reader.readBase64(field: "Records[\(index)].Data")) }
        }
        #expect(decoded == [Array("hi".utf8)])
        #expect(message == "Records[1].Data is not valid base64: send the bytes base64-encoded with '=' padding")
        _ = try reader.peekKind()
    }

    @Test func skipsValuesItDoesNotNeed() throws {
        var reader = reader(#"{"skip": {"x": [1, {"y": "z"}, null, true]}, "keep": 7}"#)
        var kept: Int64 = 0
        try reader.readObject { reader, name in
            if name == "keep" { kept = try reader.readInteger(field: name) } else { try reader.skipValue() }
        }
        #expect(kept == 7)
    }

    @Test func saysWhereAndWhatIsMalformed() {
        let skip: (inout JSONReader) throws -> Void = { try $0.skipValue() }
        #expect(error(#"{"a":1,}"#, skip) == "Malformed JSON at byte 7: expected a member name in double quotes")
        #expect(error(#"{"a" 1}"#, skip) == "Malformed JSON at byte 5: expected ':' after member name \"a\", found '1'")
        #expect(error(#"{"a":1 "b":2}"#, skip) == "Malformed JSON at byte 7: expected ',' or '}' after the value of \"a\"")
        #expect(error(#"[1 2]"#, skip) == "Malformed JSON at byte 3: expected ',' or ']' after array element 0")
        #expect(error(#"{"a":"b"#, skip) == "Malformed JSON at byte 5: a string is not closed")
        #expect(error("\"a\u{1}\"", skip) == "Malformed JSON at byte 2: a control character must be escaped inside a string")
        #expect(error(#""\x""#, skip) == nil)  // skipping does not unescape
        #expect(error(#""\x""#) { _ = try $0.readString() } == "Malformed JSON at byte 1: unknown escape 'x'")
        #expect(error(#""\ud83d""#) { _ = try $0.readString() } == "Malformed JSON at byte 1: a high surrogate \\u escape is not followed by a low one")
        #expect(error(#""\ude00""#) { _ = try $0.readString() } == "Malformed JSON at byte 1: a lone low surrogate \\u escape")
        #expect(error(#""\u12""#) { _ = try $0.readString() } == "Malformed JSON at byte 3: a \\u escape needs 4 hex digits")
        #expect(error("01", skip) == "Malformed JSON at byte 1: unexpected '1' after the end of the document")
        #expect(error("1.", skip) == "Malformed JSON at byte 2: expected a digit after '.'")
        #expect(error("-", skip) == "Malformed JSON at byte 1: expected a number")
        #expect(error("nul", skip) == "Malformed JSON at byte 0: expected null")
        #expect(error("tru", skip) == "Malformed JSON at byte 0: expected true or false")
        #expect(error("", skip) == "Malformed JSON at byte 0: expected a value, found the end of the body")
        #expect(error("{} x", skip) == "Malformed JSON at byte 3: unexpected 'x' after the end of the document")
        #expect(error("1.5") { _ = try $0.readInteger(field: "Limit") } == "Limit is 1.5, must be a whole number")
        #expect(error("99999999999999999999") { _ = try $0.readInteger(field: "Limit") } == "Limit is 99999999999999999999, must be a whole number")
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        var invalid = JSONReader([0x22, 0xC3, 0x28, 0x22])
        #expect(throws: WireError("Malformed JSON at byte 1: a string is not valid UTF-8")) { try invalid.readString() }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(error(deep) { try $0.skipValue() } == "Malformed JSON at byte 64: nesting deeper than 64 levels")
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(error(fine) { try $0.skipValue() } == nil)
    }
}
