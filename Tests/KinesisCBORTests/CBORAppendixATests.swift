import KinesisCBOR
import Testing

/// The examples of RFC 8949 Appendix A, decoded and (where this encoder's rules give the
/// same bytes: definite lengths, shortest heads, 8-byte floats) encoded.
@Suite struct CBORAppendixATests {
    static let oneToTwentyFive = CBORValue.array((1...25).map { CBORValue.unsigned($0) })
    static let nested = array(int(1), array(int(2), int(3)), array(int(4), int(5)))

    /// Every example but the floats, whose value the tree's `==` cannot tell from -0.0 or NaN.
    static let definite: [(String, CBORValue)] = [
        ("00", int(0)), ("01", int(1)), ("0a", int(10)), ("17", int(23)), ("1818", int(24)), ("1819", int(25)),
        ("1864", int(100)), ("1903e8", int(1000)), ("1a000f4240", int(1_000_000)),
        ("1b000000e8d4a51000", int(1_000_000_000_000)), ("1bffffffffffffffff", .unsigned(.max)),
        ("c249010000000000000000", .tagged(2, .bytes([1, 0, 0, 0, 0, 0, 0, 0, 0]))),
        ("3bffffffffffffffff", .negative(.max)),
        ("c349010000000000000000", .tagged(3, .bytes([1, 0, 0, 0, 0, 0, 0, 0, 0]))),
        ("20", int(-1)), ("29", int(-10)), ("3863", int(-100)), ("3903e7", int(-1000)),
        ("f4", .bool(false)), ("f5", .bool(true)), ("f6", .null), ("f7", .undefined), ("f0", .simple(16)), ("f8ff", .simple(255)),
        ("c074323031332d30332d32315432303a30343a30305a", .tagged(0, text("2013-03-21T20:04:00Z"))),
        ("c11a514b67b0", .tagged(1, int(1_363_896_240))),
        ("c1fb41d452d9ec200000", .tagged(1, .float(1_363_896_240.5))),
        ("d74401020304", .tagged(23, .bytes([1, 2, 3, 4]))),
        ("d818456449455446", .tagged(24, .bytes(Array("dIETF".utf8)))),
        ("d82076687474703a2f2f7777772e6578616d706c652e636f6d", .tagged(32, text("http://www.example.com"))),
        ("40", .bytes([])), ("4401020304", .bytes([1, 2, 3, 4])),
        ("60", text("")), ("6161", text("a")), ("6449455446", text("IETF")), ("62225c", text("\"\\")),
        ("62c3bc", text("\u{fc}")), ("63e6b0b4", text("\u{6c34}")), ("64f0908591", text("\u{10151}")),
        ("80", array()), ("83010203", array(int(1), int(2), int(3))), ("8301820203820405", nested),
        ("98190102030405060708090a0b0c0d0e0f101112131415161718181819", oneToTwentyFive),
        ("a0", map()), ("a201020304", map((int(1), int(2)), (int(3), int(4)))),
        ("a26161016162820203", map((text("a"), int(1)), (text("b"), array(int(2), int(3))))),
        ("826161a161626163", array(text("a"), map((text("b"), text("c"))))),
        ("a56161614161626142616361436164614461656145",
         map((text("a"), text("A")), (text("b"), text("B")), (text("c"), text("C")), (text("d"), text("D")), (text("e"), text("E")))),
    ]

    static let indefinite: [(String, CBORValue)] = [
        ("5f42010243030405ff", .bytes([1, 2, 3, 4, 5])),
        ("7f657374726561646d696e67ff", text("streaming")),
        ("9fff", array()),
        ("9f018202039f0405ffff", nested), ("9f01820203820405ff", nested), ("83018202039f0405ff", nested), ("83019f0203ff820405", nested),
        ("9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff", oneToTwentyFive),
        ("bf61610161629f0203ffff", map((text("a"), int(1)), (text("b"), array(int(2), int(3))))),
        ("826161bf61626163ff", array(text("a"), map((text("b"), text("c"))))),
        ("bf6346756ef563416d7421ff", map((text("Fun"), .bool(true)), (text("Amt"), int(-2)))),
    ]

    static let floats: [(String, Double)] = [
        ("f90000", 0.0), ("f98000", -0.0), ("f93c00", 1.0), ("fb3ff199999999999a", 1.1), ("f93e00", 1.5), ("f97bff", 65504.0),
        ("fa47c35000", 100_000.0), ("fa7f7fffff", 3.4028234663852886e+38), ("fb7e37e43c8800759c", 1.0e+300),
        ("f90001", 5.960464477539063e-8), ("f90400", 0.00006103515625), ("f9c400", -4.0), ("fbc010666666666666", -4.1),
        ("f97c00", .infinity), ("f9fc00", -.infinity), ("fa7f800000", .infinity), ("faff800000", -.infinity),
        ("fb7ff0000000000000", .infinity), ("fbfff0000000000000", -.infinity),
    ]

    @Test func decodesEveryDefiniteExample() throws {
        for (bytes, value) in Self.definite {
            #expect(try CBORValue(decoding: hex(bytes)) == value, "\(bytes)")
        }
    }

    @Test func decodesEveryIndefiniteLengthExample() throws {
        for (bytes, value) in Self.indefinite {
            #expect(try CBORValue(decoding: hex(bytes)) == value, "\(bytes)")
        }
    }

    @Test func decodesEveryFloatToTheSameBits() throws {
        for (bytes, expected) in Self.floats {
            guard case let .float(value) = try CBORValue(decoding: hex(bytes)) else {
                Issue.record("\(bytes) is not a float")
                continue
            }
            #expect(value.bitPattern == expected.bitPattern, "\(bytes): \(value)")
        }
        for bytes in ["f97e00", "fa7fc00000", "fb7ff8000000000000"] {
            guard case let .float(value) = try CBORValue(decoding: hex(bytes)) else {
                Issue.record("\(bytes) is not a float")
                continue
            }
            #expect(value.isNaN, "\(bytes)")
        }
    }

    @Test func encodesEveryDefiniteExampleToItsBytes() {
        for (bytes, value) in Self.definite {
            #expect(hexString(value.encoded) == bytes)
        }
    }

    /// The encoder writes an indefinite-length example as its definite form.
    @Test func encodesIndefiniteExamplesAsDefiniteOnes() {
        let definite = ["450102030405", "6973747265616d696e67", "80", "8301820203820405", "8301820203820405",
                        "8301820203820405", "8301820203820405", "98190102030405060708090a0b0c0d0e0f101112131415161718181819",
                        "a26161016162820203", "826161a161626163", "a26346756ef563416d7421"]
        #expect(Self.indefinite.map { hexString($0.1.encoded) } == definite)
    }

    /// Whole floats are written as integers, a fraction (or a whole number past the 64-bit
    /// integers, or an infinity) as 8 bytes: what the SDK reads as well as a half or single.
    @Test func encodesFloatsAsIntegersOrEightBytes() {
        let expected = [
            "00", "00", "01", "fb3ff199999999999a", "fb3ff8000000000000", "19ffe0", "1a000186a0", "fb47efffffe0000000",
            "fb7e37e43c8800759c", "fb3e70000000000000", "fb3f10000000000000", "23", "fbc010666666666666",
            "fb7ff0000000000000", "fbfff0000000000000", "fb7ff0000000000000", "fbfff0000000000000", "fb7ff0000000000000",
            "fbfff0000000000000",
        ]
        #expect(Self.floats.map { hexString(CBORValue.float($0.1).encoded) } == expected)
        #expect(hexString(CBORValue.float(.nan).encoded) == "fb7ff8000000000000")
        #expect(hexString(CBORValue.float(9_223_372_036_854_775_808.0).encoded) == "1b8000000000000000")
        #expect(hexString(CBORValue.float(-9_223_372_036_854_775_808.0).encoded) == "3b7fffffffffffffff")
    }
}
