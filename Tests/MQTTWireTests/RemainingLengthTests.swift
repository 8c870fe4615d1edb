@testable import MQTTWire
import Testing

/// The remaining length's variable-length encoding (MQTT 3.1.1 §2.2.3) at the boundaries of
/// its table, on the encoder and decoder themselves: no 256 MB bodies.
@Suite struct RemainingLengthTests {
    static let boundaries: [(Int, [UInt8])] = [
        (0, [0x00]),
        (127, [0x7F]),
        (128, [0x80, 0x01]),
        (16_383, [0xFF, 0x7F]),
        (16_384, [0x80, 0x80, 0x01]),
        (2_097_151, [0xFF, 0xFF, 0x7F]),
        (2_097_152, [0x80, 0x80, 0x80, 0x01]),
        (268_435_455, [0xFF, 0xFF, 0xFF, 0x7F]),
    ]

    @Test(arguments: boundaries)
    func encodesAndDecodes(_ value: Int, _ encoded: [UInt8]) throws {
        var bytes: [UInt8] = []
        RemainingLength.write(value, to: &bytes)
        #expect(bytes == encoded)
        #expect(RemainingLength.byteCount(value) == encoded.count)
        let read = try encoded.withUnsafeBytes { buffer throws(MQTTWireError) in try RemainingLength.read(buffer, at: 0) }
        #expect(read?.value == value)
        #expect(read?.byteCount == encoded.count)
        // After a first byte, as the reader finds it; every shorter prefix asks for more.
        let header = [0x30] + encoded
        for length in 1..<header.count {
            let prefix = Array(header.prefix(length))
            #expect(try prefix.withUnsafeBytes { buffer throws(MQTTWireError) in try RemainingLength.read(buffer, at: 1) } == nil)
        }
    }

    /// A header announcing a body of up to 1 MiB is a packet still arriving; one over it is
    /// refused from the header. Either way nothing the size of the body is allocated.
    @Test(arguments: boundaries)
    func theReaderWaitsOrRefusesFromTheHeader(_ value: Int, _ encoded: [UInt8]) throws {
        let header = [0x30] + encoded
        let total = header.count + value
        if value == 0 {
            #expect(refusal(header) == "PUBLISH: the topic name needs 2 bytes but 0 are left in the packet")
        } else if total <= 1 << 20 {
            #expect(isIncomplete(header))
        } else {
            #expect(refusal(header) == "a packet of \(total) bytes is over the limit of 1048576")
        }
        if value > 0 {
            #expect(try MQTTPacketReader.read(header, maxPacketBytes: .max) == nil)
        }
    }

    @Test func theMaximumIsWhatFourBytesHold() {
        #expect(RemainingLength.maximum == 268_435_455)
        #expect(refusal([0x30, 0xFF, 0xFF, 0xFF, 0x7F]) == "a packet of 268435460 bytes is over the limit of 1048576")
    }

    @Test func aFourthContinuationByteIsRefusedWithoutAFifth() {
        #expect(refusal([0x30, 0x80, 0x80, 0x80, 0x80]) == "the remaining length has more than 4 bytes (MQTT 3.1.1 §2.2.3)")
        #expect(refusal([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) == "the remaining length has more than 4 bytes (MQTT 3.1.1 §2.2.3)")
        #expect(isIncomplete([0x30, 0x80, 0x80, 0x80]))
    }

    static let notShortest: [([UInt8], String)] = [
        ([0x80, 0x00], "the remaining length 0 is written in 2 bytes, not in its shortest form of 1 (MQTT 3.1.1 §2.2.3)"),
        ([0xFF, 0x00], "the remaining length 127 is written in 2 bytes, not in its shortest form of 1 (MQTT 3.1.1 §2.2.3)"),
        ([0x80, 0x81, 0x00], "the remaining length 128 is written in 3 bytes, not in its shortest form of 2 (MQTT 3.1.1 §2.2.3)"),
        ([0xFF, 0xFF, 0x80, 0x00], "the remaining length 16383 is written in 4 bytes, not in its shortest form of 2 (MQTT 3.1.1 §2.2.3)"),
        ([0x80, 0x80, 0x80, 0x00], "the remaining length 0 is written in 4 bytes, not in its shortest form of 1 (MQTT 3.1.1 §2.2.3)"),
    ]

    @Test(arguments: notShortest)
    func refusesALongerFormThanNeeded(_ encoded: [UInt8], _ message: String) {
        #expect(throws: MQTTWireError.self) {
            do {
                _ = try encoded.withUnsafeBytes { buffer throws(MQTTWireError) in try RemainingLength.read(buffer, at: 0) }
            } catch {
                #expect("\(error)" == message)
                throw error
            }
        }
        #expect(refusal([0x30] + encoded) == message)
    }
}
