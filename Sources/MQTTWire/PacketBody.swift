/// A cursor over the variable header and payload of one packet: exactly its remaining
/// length, so no field is read past it. Every length prefix is checked against the bytes
/// left before anything is made of the field.
struct PacketBody {
    let bytes: UnsafeRawBufferPointer
    let packet: MQTTPacketType
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer, of packet: MQTTPacketType) {
        self.bytes = bytes
        self.packet = packet
    }

    var left: Int { bytes.count - position }

    mutating func byte(_ field: MQTTWireError.Field) throws(MQTTWireError) -> UInt8 {
        guard left >= 1 else { throw .fieldPastEnd(packet, field, needs: 1, left: left) }
        defer { position += 1 }
        return bytes[position]
    }

    /// A two-byte integer, most significant byte first (§1.5.2).
    mutating func uint16(_ field: MQTTWireError.Field) throws(MQTTWireError) -> UInt16 {
        guard left >= 2 else { throw .fieldPastEnd(packet, field, needs: 2, left: left) }
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    /// A packet identifier, which is never 0 (§2.3.1).
    mutating func packetId() throws(MQTTWireError) -> UInt16 {
        let id = try uint16(.packetId)
        guard id != 0 else { throw .zeroPacketId(packet) }
        return id
    }

    /// A UTF-8 encoded string (§1.5.3): a two-byte length, then that many bytes of
    /// well-formed UTF-8 without U+0000. The characters §1.5.3 says a string should not
    /// hold (other control characters, noncharacters) are taken, as it allows.
    mutating func string(_ field: MQTTWireError.Field) throws(MQTTWireError) -> String {
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[try lengthPrefixed(field)])
        // One pass for U+0000 (a zero byte, which no longer sequence holds) and for ASCII,
        // which needs no validation.
        var isASCII = true
        for byte in utf8 {
            if byte == 0 { throw .nullCharacter(packet, field) }
            if byte >= 0x80 { isASCII = false }
        }
        if isASCII { return String(decoding: utf8, as: UTF8.self) }
        guard let text = String(validating: utf8, as: UTF8.self) else { throw .invalidUTF8(packet, field) }
        return text
    }

    /// Binary data (§3.1.3.3, §3.1.3.5): a two-byte length, then that many bytes.
    mutating func binary(_ field: MQTTWireError.Field) throws(MQTTWireError) -> [UInt8] {
        Array(UnsafeRawBufferPointer(rebasing: bytes[try lengthPrefixed(field)]))
    }

    /// Everything left: a PUBLISH payload, SUBACK return codes.
    mutating func rest() -> [UInt8] {
        defer { position = bytes.count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[position...]))
    }

    /// After the last field: nothing may be left.
    func finish() throws(MQTTWireError) {
        if left > 0 { throw .trailingBytes(packet, count: left) }
    }

    private mutating func lengthPrefixed(_ field: MQTTWireError.Field) throws(MQTTWireError) -> Range<Int> {
        guard left >= 2 else { throw .fieldPastEnd(packet, field, needs: 2, left: left) }
        let length = Int(bytes[position]) << 8 | Int(bytes[position + 1])
        guard left >= 2 + length else { throw .fieldPastEnd(packet, field, needs: 2 + length, left: left) }
        let start = position + 2
        position = start + length
        return start..<position
    }
}
