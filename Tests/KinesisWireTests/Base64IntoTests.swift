import KinesisWire
import Testing


/// Decoding straight into a buffer: round trips with the encoder, and refuses what is not canonical.
struct Base64IntoTests {
    static func inPlace(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        var output = [UInt8](repeating: 0xAA, count: utf8.count / 4 * 3)
        let count = utf8.withUnsafeBufferPointer { text in output.withUnsafeMutableBytes { Base64.decode(text, into: $0) } }
        return count.map { Array(output.prefix($0)) }
    }

    @Test func agreesOnEveryLengthAndByte() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...64 {
            for _ in 0..<8 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let text = Base64.encode(bytes)
                #expect(Self.inPlace(text) == bytes, "\(length) bytes: \(text)")
            }
        }
        #expect(Self.inPlace("") == [])
        #expect(Self.inPlace("/w==") == [0xFF])
        #expect(Self.inPlace("+/8=") == [0xFB, 0xFF])
    }

    @Test(arguments: ["a", "aGVsbG8", "aGVsbG8==", "====", "a===", "aG=s", "aGVs\\/w==", "aGV-", "/x==", "//9=", "aGVsbG8=aGVs", " aGVs"])
    func refusesWhatDecodeRefuses(text: String) {
        #expect(Base64.decode(text) == nil)
        #expect(Self.inPlace(text) == nil)
    }

    @Test func refusesAnOutputTooSmall() {
        let text = Array("aGVsbG8=".utf8)
        var output = [UInt8](repeating: 0, count: 5)
        let count = text.withUnsafeBufferPointer { text in output.withUnsafeMutableBytes { Base64.decode(text, into: $0) } }
        #expect(count == nil)
    }
}
