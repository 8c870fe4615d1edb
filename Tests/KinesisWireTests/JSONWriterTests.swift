import KinesisWire
import Testing

@Suite struct JSONWriterTests {
    @Test func writesCommasEscapesAndBase64() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("a")
        writer.string("q\"b\\n\n\t\u{1}é")
        writer.key("b")
        writer.beginArray()
        writer.integer(1)
        writer.integer(-2)
        writer.beginObject()
        writer.endObject()
        writer.bool(true)
        writer.endArray()
        writer.key("c")
        [UInt8]([0, 255, 1]).withUnsafeBytes { writer.base64($0) }
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":"q\"b\\n\n\t\u0001é","b":[1,-2,{},true],"c":"AP8B"}"#)
    }

    @Test func writesMillisecondsAsSecondsWithThreeDecimals() {
        for (millis, text) in [(Int64(1_764_380_851_123), "1764380851.123"), (5, "0.005"), (0, "0.000"), (-1500, "-1.500")] {
            var writer = JSONWriter()
            writer.epochSeconds(millis: millis)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == text)
        }
    }

    @Test func writesKeysAndStringsOfUTF8DoublesAndNull() {
        var writer = JSONWriter()
        writer.beginObject()
        Array("k\"é\n".utf8).withUnsafeBufferPointer { writer.key(utf8: $0) }
        writer.beginArray()
        for value in [1.5, -0.25, 100.0, 1e-7, 1e300, -0.0, .leastNonzeroMagnitude] { writer.double(value) }
        writer.null()
        Array("a\\b\u{1}\tc".utf8).withUnsafeBufferPointer { writer.string(utf8: $0) }
        [UInt8]().withUnsafeBufferPointer { writer.string(utf8: $0) }
        writer.endArray()
        Array("plain".utf8).withUnsafeBufferPointer { writer.key(utf8: $0) }
        writer.null()
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self)
            == #"{"k\"é\n":[1.5,-0.25,100.0,1e-07,1e+300,-0.0,5e-324,null,"a\\b\u0001\tc",""],"plain":null}"#)
    }

    @Test func whatItWritesReadsBack() throws {
        var writer = JSONWriter()
        let text = "line\u{0}\u{1f}\"\\/😀"
        writer.beginArray()
        writer.string(text)
        writer.endArray()
        var reader = JSONReader(writer.bytes)
        var read = ""
        try reader.readArray { reader, _ in read = try reader.readString() }
        #expect(read == text)
    }
}

@Suite struct JSONWriterDigitsTests {
    @Test func padsEachPartToItsWidth() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.paddedDigits(999_999, width: 6, 999_999_999_999_999_999, width: 18)
        writer.paddedDigits(prefix: "shardId-", 7, width: 12)
        writer.paddedDigits(0, width: 3)
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"["999999999999999999999999","shardId-000000000007","000"]"#)
    }
}
