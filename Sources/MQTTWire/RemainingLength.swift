/// The remaining length of a fixed header (MQTT 3.1.1 §2.2.3): how many bytes of variable
/// header and payload follow, seven bits a byte, least significant group first, the high
/// bit set on every byte but the last; at most four bytes.
enum RemainingLength {
    /// What four bytes hold: 0xFF 0xFF 0xFF 0x7F.
    static let maximum = 268_435_455
    static let maximumByteCount = 4

    /// How many bytes `value` (0 through `maximum`) takes in its shortest form.
    static func byteCount(_ value: Int) -> Int {
        switch value {
        case ..<128: 1
        case ..<16_384: 2
        case ..<2_097_152: 3
        default: 4
        }
    }

    /// Appends `value` (0 through `maximum`, which the caller has checked) in its shortest form.
    static func write(_ value: Int, to bytes: inout [UInt8]) {
        var value = value
        repeat {
            let group = UInt8(truncatingIfNeeded: value & 0x7F)
            value >>= 7
            bytes.append(value > 0 ? group | 0x80 : group)
        } while value > 0
    }

    /// The value of the remaining length that starts at `offset` and how many bytes it takes,
    /// or nil when `bytes` end before its last byte. A fourth byte with the continuation bit
    /// is refused without waiting for a fifth. So is a length in more bytes than its value
    /// needs (a last byte of 0 after the first): §2.2.3's algorithm writes the shortest form,
    /// MQTT 5.0 (§1.5.5) makes that a must, and a reader that takes only one form of each
    /// packet can compare packets by their bytes.
    static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(MQTTWireError) -> (value: Int, byteCount: Int)? {
        var value = 0
        for index in 0..<maximumByteCount {
            guard offset + index < bytes.count else { return nil }
            let byte = bytes[offset + index]
            value |= Int(byte & 0x7F) << (7 * index)
            if byte & 0x80 == 0 {
                if index > 0, byte == 0 { throw .remainingLengthNotShortest(length: value, byteCount: index + 1) }
                return (value, index + 1)
            }
        }
        throw .remainingLengthTooLong
    }
}
