import KinesisCBOR
import Testing

/// Every way bytes are not one well-formed item, with the message a client gets. The
/// decoder and the request transcoder share the reader, so both refuse alike.
@Suite struct CBORLimitTests {
    static let malformed: [(String, String)] = [
        ("", "CBOR: the body is empty: send one CBOR data item"),
        // A head's argument cut off.
        ("1b0000", "CBOR: an unsigned integer at byte 0 needs 8 argument bytes but 2 are left"),
        ("3901", "CBOR: a negative integer at byte 0 needs 2 argument bytes but 1 is left"),
        ("f9", "CBOR: a half-precision float at byte 0 needs 2 argument bytes but 0 are left"),
        ("fa000000", "CBOR: a single-precision float at byte 0 needs 4 argument bytes but 3 are left"),
        ("8118", "CBOR: an unsigned integer at byte 1 needs 1 argument byte but 0 are left"),
        // A declared length or count past the end, refused before anything is allocated.
        ("a16a53747265616d4e616d657aee6b2800" + String(repeating: "61", count: 20),
         "CBOR: a text string at byte 12 declares 4000000000 bytes but 20 are left"),
        ("4201", "CBOR: a byte string at byte 0 declares 2 bytes but 1 is left"),
        ("5bffffffffffffffff", "CBOR: a byte string at byte 0 declares 18446744073709551615 bytes but 0 are left"),
        ("5f4301", "CBOR: a byte string at byte 1 declares 3 bytes but 1 is left"),
        ("9a000f424000", "CBOR: an array at byte 0 declares 1000000 items but 1 byte is left"),
        ("9bffffffffffffffff", "CBOR: an array at byte 0 declares 18446744073709551615 items but 0 bytes are left"),
        ("a2010203", "CBOR: a map at byte 0 declares 2 pairs but 3 bytes are left"),
        // The body ends inside a container.
        ("821818", "CBOR: the body ends at byte 3 inside an array at byte 0"),
        ("a1781801", "CBOR: a text string at byte 1 declares 24 bytes but 1 is left"),
        ("a16161", "CBOR: the body ends at byte 3 inside a map at byte 0"),
        ("9f01", "CBOR: the body ends at byte 2 inside an indefinite-length array at byte 0"),
        ("bf6161", "CBOR: the body ends at byte 3 inside an indefinite-length map at byte 0"),
        ("7f6161", "CBOR: the body ends at byte 3 inside an indefinite-length text string at byte 0"),
        ("5f", "CBOR: the body ends at byte 1 inside an indefinite-length byte string at byte 0"),
        ("c1", "CBOR: the body ends at byte 1 inside a tag at byte 0"),
        // Reserved additional information.
        ("1c", "CBOR: the initial byte 0x1C at byte 0 has additional information 28, which RFC 8949 reserves"),
        ("811d", "CBOR: the initial byte 0x1D at byte 1 has additional information 29, which RFC 8949 reserves"),
        ("fe", "CBOR: the initial byte 0xFE at byte 0 has additional information 30, which RFC 8949 reserves"),
        // Indefinite lengths where none may be.
        ("1f", "CBOR: an unsigned integer at byte 0 cannot have an indefinite length (initial byte 0x1F)"),
        ("3f", "CBOR: a negative integer at byte 0 cannot have an indefinite length (initial byte 0x3F)"),
        ("df00", "CBOR: a tag at byte 0 cannot have an indefinite length (initial byte 0xDF)"),
        // Breaks outside an indefinite-length item, or in the middle of a pair.
        ("ff", "CBOR: a break (0xFF) at byte 0 is outside any indefinite-length item"),
        ("81ff", "CBOR: a break (0xFF) at byte 1 is outside any indefinite-length item"),
        ("bf6161ff", "CBOR: a break (0xFF) at byte 3 is outside any indefinite-length item"),
        // Chunks of indefinite-length strings.
        ("5f6161ff", "CBOR: an indefinite-length byte string at byte 0 has a chunk at byte 1 that is not a definite-length string of its type (initial byte 0x61)"),
        ("7f7fffff", "CBOR: an indefinite-length text string at byte 0 has a chunk at byte 1 that is not a definite-length string of its type (initial byte 0x7F)"),
        ("7f00ff", "CBOR: an indefinite-length text string at byte 0 has a chunk at byte 1 that is not a definite-length string of its type (initial byte 0x00)"),
        // UTF-8.
        ("62c328", "CBOR: a text string at byte 0 is not valid UTF-8"),
        ("63eda080", "CBOR: a text string at byte 0 is not valid UTF-8"),
        ("61ff", "CBOR: a text string at byte 0 is not valid UTF-8"),
        ("7f616162c328ff", "CBOR: a chunk of a text string at byte 3 is not valid UTF-8"),
        // A code point split between two chunks: each chunk must be valid on its own.
        ("7f62c3a961c361bcff", "CBOR: a chunk of a text string at byte 4 is not valid UTF-8"),
        // Trailing bytes.
        ("0000", "CBOR: 1 byte after the end of the item (from byte 1): send one CBOR data item"),
        ("a0010203", "CBOR: 3 bytes after the end of the item (from byte 1): send one CBOR data item"),
        ("9fff00", "CBOR: 1 byte after the end of the item (from byte 2): send one CBOR data item"),
        // Simple values below 32 in two bytes.
        ("f810", "CBOR: the simple value 16 at byte 0 is written in two bytes, which RFC 8949 allows only from 32"),
        ("f81f", "CBOR: the simple value 31 at byte 0 is written in two bytes, which RFC 8949 allows only from 32"),
    ]

    @Test func refusesEveryMalformedItemWithItsMessage() {
        for (bytes, message) in Self.malformed {
            #expect(decodeRefusal(hex(bytes)) == message, "\(bytes)")
            #expect(requestRefusal(hex(bytes)) == message, "\(bytes)")
        }
    }

    @Test func nestsSixtyFourLevelsAndRefusesTheSixtyFifth() throws {
        let arrays64 = [UInt8](repeating: 0x81, count: 64) + [0x00]
        #expect(decodeRefusal(arrays64) == nil)
        #expect(json(try KinesisCBOR.requestJSON(cbor: arrays64)) == String(repeating: "[", count: 64) + "0" + String(repeating: "]", count: 64))

        let arrays65 = [UInt8](repeating: 0x81, count: 65) + [0x00]
        let message = "CBOR: an array at byte 64 nests deeper than 64 levels"
        #expect(decodeRefusal(arrays65) == message)
        #expect(requestRefusal(arrays65) == message)

        // Maps, indefinite arrays and tags count alike: {"a": {"a": ... 0}} 65 deep.
        let maps65: [UInt8] = Array(repeating: hex("a16161"), count: 65).flatMap { $0 } + [0x00]
        #expect(requestRefusal(maps65) == "CBOR: a map at byte 192 nests deeper than 64 levels")
        let indefinite65 = [UInt8](repeating: 0x9F, count: 65) + [UInt8](repeating: 0xFF, count: 65)
        #expect(decodeRefusal(indefinite65) == "CBOR: an indefinite-length array at byte 64 nests deeper than 64 levels")
        let tags65 = [UInt8](repeating: 0xC6, count: 65) + [0x00]
        #expect(decodeRefusal(tags65) == "CBOR: a tag at byte 64 nests deeper than 64 levels")
        #expect(requestRefusal(tags65) == "CBOR: a tag at byte 64 nests deeper than 64 levels")
        #expect(decodeRefusal([UInt8](repeating: 0xC6, count: 64) + [0x00]) == nil)
    }

    @Test func aHugeCountOfTinyItemsIsReadWithoutAPreallocation() throws {
        // 100,000 items that fill the body exactly: counts are checked against the bytes
        // left, not refused for their size.
        let nulls = hex("9a000186a0") + [UInt8](repeating: 0xF6, count: 100_000)
        #expect(try CBORValue(decoding: nulls) == .array(Array(repeating: .null, count: 100_000)))
    }

    @Test func errorsKnowTheirOffset() {
        #expect(CBORError.empty.offset == 0)
        #expect(CBORError.stringBeyondEnd(item: "a text string", at: 12, declared: 4_000_000_000, left: 20).offset == 12)
        #expect(CBORError.trailingBytes(at: 7, count: 1).offset == 7)
        #expect(CBORError.timestampNotInteger(at: 3, found: "a text string").offset == 3)
    }
}
