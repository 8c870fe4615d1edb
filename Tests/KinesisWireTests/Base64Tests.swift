import KinesisWire
import Testing

@Suite struct Base64Tests {
    @Test func encodesTheRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func roundTripsEveryByteValue() {
        let bytes = (0...255).map { UInt8($0) }
        for length in 0...bytes.count {
            let data = Array(bytes.prefix(length))
            #expect(Base64.decode(Base64.encode(data)) == data)
        }
    }

    @Test func refusesWhatIsNotCanonicalPaddedBase64() {
        for text in ["Zg=", "Zg", "Zm9", "Z===", "====", "Zg=a", "Zm=v", "Zh==", "Zm9=", "Zm9v!A==", "Zm 9v", "Zm9v\n"] {
            #expect(Base64.decode(text) == nil, "\(text)")
        }
    }
}
