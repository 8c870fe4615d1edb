import MQTTWire
import Testing

/// Reading packets off a stream: a part of one is not an error, several are read one by
/// one, and every way bytes break MQTT 3.1.1 is refused with its message.
@Suite struct MQTTPacketReaderTests {
    @Test func nothingIsNoPacket() throws {
        #expect(try MQTTPacketReader.read([]) == nil)
    }

    @Test(arguments: everyPacket)
    func everyPrefixIsIncomplete(_ packet: MQTTPacket) throws {
        let bytes = packet.bytes
        for length in 0..<bytes.count {
            #expect(try MQTTPacketReader.read(Array(bytes.prefix(length))) == nil, "\(packet.type) cut to \(length) of \(bytes.count) bytes")
        }
    }

    @Test func packetsBackToBackAreReadOneByOne() throws {
        var stream: [UInt8] = []
        for packet in everyPacket { packet.write(to: &stream) }
        stream += [0x30, 0x05, 0x00]  // the start of one more
        var read: [MQTTPacket] = []
        var offset = 0
        try stream.withUnsafeBytes { buffer in
            while let (packet, consumed) = try MQTTPacketReader.read(UnsafeRawBufferPointer(rebasing: buffer[offset...])) {
                read.append(packet)
                offset += consumed
            }
        }
        #expect(read == everyPacket)
        #expect(offset == stream.count - 3)
    }

    @Test func theLimitCountsTheWholePacket() throws {
        let bytes = MQTTPacket.publish(MQTTPublish(topic: "t", payload: [1, 2, 3, 4, 5])).bytes
        #expect(bytes.count == 10)
        #expect(try MQTTPacketReader.read(bytes, maxPacketBytes: 10)?.consumed == 10)
        #expect(refusal(bytes, maxPacketBytes: 9) == "a packet of 10 bytes is over the limit of 9")
        // Refused from the fixed header alone, before the body is there.
        #expect(refusal(Array(bytes.prefix(2)), maxPacketBytes: 9) == "a packet of 10 bytes is over the limit of 9")
    }

    @Test func aPacketOver1MiBIsRefusedFromItsHeader() {
        // Remaining length 1,999,996 (0xFC 0x88 0x7A): 2,000,000 bytes with the fixed header.
        #expect(refusal([0x30, 0xFC, 0x88, 0x7A]) == "a packet of 2000000 bytes is over the limit of 1048576")
    }

    @Test func aFixedSizePacketWithAnotherLengthIsRefusedFromItsHeader() {
        #expect(refusal([0x40, 0x7F]) == "PUBACK: the remaining length is 127, must be 2 (MQTT 3.1.1 §3.4.1)")
        #expect(refusal([0xE0, 0x80, 0x80, 0x01]) == "DISCONNECT: the remaining length is 16384, must be 0 (MQTT 3.1.1 §3.14.1)")
    }

    /// A first byte that can never start a packet is refused before any more arrive.
    @Test func aBadFirstByteIsRefusedAlone() {
        #expect(refusal([0xF0]) == "the first byte 0xF0 has packet type 15, which is reserved (MQTT 3.1.1 §2.2.1)")
        #expect(refusal([0x36]) == "PUBLISH: the QoS bits are 3, which is reserved (MQTT 3.1.1 §3.3.1.2)")
    }

    static let refusals: [(String, [UInt8], String)] = [
        // The fixed header (§2.2).
        ("type 0", [0x00, 0x00], "the first byte 0x00 has packet type 0, which is reserved (MQTT 3.1.1 §2.2.1)"),
        ("type 15", [0xF0, 0x00], "the first byte 0xF0 has packet type 15, which is reserved (MQTT 3.1.1 §2.2.1)"),
        ("PUBREL flags 0000", packet(0x60, uint16(1)), "PUBREL: the fixed header flags are 0000, must be 0010 (MQTT 3.1.1 §2.2.2)"),
        ("SUBSCRIBE flags 0000", packet(0x80, uint16(1), string("a"), [0]), "SUBSCRIBE: the fixed header flags are 0000, must be 0010 (MQTT 3.1.1 §2.2.2)"),
        ("UNSUBSCRIBE flags 0011", packet(0xA3, uint16(1), string("a")), "UNSUBSCRIBE: the fixed header flags are 0011, must be 0010 (MQTT 3.1.1 §2.2.2)"),
        ("PUBACK flags 0010", packet(0x42, uint16(1)), "PUBACK: the fixed header flags are 0010, must be 0000 (MQTT 3.1.1 §2.2.2)"),
        ("CONNECT flags 1000", [0x18, 0x00], "CONNECT: the fixed header flags are 1000, must be 0000 (MQTT 3.1.1 §2.2.2)"),
        ("PINGREQ flags 0001", [0xC1, 0x00], "PINGREQ: the fixed header flags are 0001, must be 0000 (MQTT 3.1.1 §2.2.2)"),
        ("PUBLISH QoS 3", packet(0x36, string("t"), uint16(1)), "PUBLISH: the QoS bits are 3, which is reserved (MQTT 3.1.1 §3.3.1.2)"),
        ("PUBLISH DUP at QoS 0", packet(0x38, string("t")), "PUBLISH: the DUP flag is set on a QoS 0 message (MQTT 3.1.1 §3.3.1.1)"),
        ("remaining length of 5 bytes", [0x30, 0xFF, 0xFF, 0xFF, 0xFF], "the remaining length has more than 4 bytes (MQTT 3.1.1 §2.2.3)"),
        ("remaining length 0 in 2 bytes", [0xC0, 0x80, 0x00], "the remaining length 0 is written in 2 bytes, not in its shortest form of 1 (MQTT 3.1.1 §2.2.3)"),
        ("remaining length 2 in 4 bytes", [0x40, 0x82, 0x80, 0x80, 0x00, 0x00, 0x01],
         "the remaining length 2 is written in 4 bytes, not in its shortest form of 1 (MQTT 3.1.1 §2.2.3)"),
        ("CONNACK length 3", [0x20, 0x03, 0x00, 0x00, 0x00], "CONNACK: the remaining length is 3, must be 2 (MQTT 3.1.1 §3.2.1)"),
        ("PINGREQ length 1", [0xC0, 0x01, 0x00], "PINGREQ: the remaining length is 1, must be 0 (MQTT 3.1.1 §3.12.1)"),
        ("UNSUBACK length 1", [0xB0, 0x01, 0x01], "UNSUBACK: the remaining length is 1, must be 2 (MQTT 3.1.1 §3.11.1)"),
        // Fields that run past the remaining length, bytes left after the last.
        ("topic past the end", [0x30, 0x06, 0x00, 0x0A, 0x61, 0x62, 0x63, 0x64], "PUBLISH: the topic name needs 12 bytes but 6 are left in the packet"),
        ("topic length cut", [0x30, 0x01, 0x00], "PUBLISH: the topic name needs 2 bytes but 1 is left in the packet"),
        ("QoS 1 without packet id", packet(0x32, string("ab")), "PUBLISH: the packet identifier needs 2 bytes but 0 are left in the packet"),
        ("requested QoS missing", packet(0x82, uint16(1), string("a")), "SUBSCRIBE: the requested QoS of topic filter 1 needs 1 byte but 0 are left in the packet"),
        ("second filter cut", packet(0xA2, uint16(1), string("a"), [0x00, 0x05, 0x62]), "UNSUBSCRIBE: topic filter 2 needs 7 bytes but 3 are left in the packet"),
        ("CONNECT cut in keep alive", packet(0x10, string("MQTT"), [4, 2, 0]), "CONNECT: the keep alive needs 2 bytes but 1 is left in the packet"),
        ("CONNECT without client id", packet(0x10, connectHeader(flags: 0x02)), "CONNECT: the client identifier needs 2 bytes but 0 are left in the packet"),
        ("CONNECT without will message", packet(0x10, connectHeader(flags: 0x06), string("c"), string("w")),
         "CONNECT: the will message needs 2 bytes but 0 are left in the packet"),
        ("CONNECT without password", packet(0x10, connectHeader(flags: 0xC2), string("c"), string("u")), "CONNECT: the password needs 2 bytes but 0 are left in the packet"),
        ("CONNECT trailing byte", packet(0x10, connectHeader(flags: 0x02), string("c"), [0]), "CONNECT: 1 byte is left in the packet after its last field"),
        ("CONNECT trailing bytes", packet(0x10, connectHeader(flags: 0x82), string("c"), string("u"), string("p")),
         "CONNECT: 3 bytes are left in the packet after its last field"),
        // UTF-8 strings (§1.5.3).
        ("topic not UTF-8", packet(0x30, field([0xC3, 0x28])), "PUBLISH: the topic name is not valid UTF-8 (MQTT 3.1.1 §1.5.3)"),
        ("client id a surrogate", packet(0x10, connectHeader(flags: 0x02), field([0xED, 0xA0, 0x80])), "CONNECT: the client identifier is not valid UTF-8 (MQTT 3.1.1 §1.5.3)"),
        ("user name an overlong NUL", packet(0x10, connectHeader(flags: 0x82), string("c"), field([0xC0, 0x80])), "CONNECT: the user name is not valid UTF-8 (MQTT 3.1.1 §1.5.3)"),
        ("filter cut inside a character", packet(0x82, uint16(1), field([0x61, 0xE2, 0x82]), [0]), "SUBSCRIBE: topic filter 1 is not valid UTF-8 (MQTT 3.1.1 §1.5.3)"),
        ("topic with U+0000", packet(0x30, field([0x61, 0x00, 0x62])), "PUBLISH: the topic name contains U+0000 (MQTT 3.1.1 §1.5.3)"),
        ("protocol name with U+0000", packet(0x10, field([0x4D, 0x00]), [4, 2, 0, 0], string("c")), "CONNECT: the protocol name contains U+0000 (MQTT 3.1.1 §1.5.3)"),
        // Packet identifiers (§2.3.1).
        ("PUBACK id 0", packet(0x40, uint16(0)), "PUBACK: the packet identifier is 0, must be nonzero (MQTT 3.1.1 §2.3.1)"),
        ("PUBREC id 0", packet(0x50, uint16(0)), "PUBREC: the packet identifier is 0, must be nonzero (MQTT 3.1.1 §2.3.1)"),
        ("PUBREL id 0", packet(0x62, uint16(0)), "PUBREL: the packet identifier is 0, must be nonzero (MQTT 3.1.1 §2.3.1)"),
        ("PUBCOMP id 0", packet(0x70, uint16(0)), "PUBCOMP: the packet identifier is 0, must be nonzero (MQTT 3.1.1 §2.3.1)"),
        ("UNSUBACK id 0", packet(0xB0, uint16(0)), "UNSUBACK: the packet identifier is 0, must be nonzero (MQTT 3.1.1 §2.3.1)"),
        ("QoS 1 PUBLISH id 0", packet(0x32, string("t"), uint16(0)), "PUBLISH: the packet identifier is 0, must be nonzero (MQTT 3.1.1 §2.3.1)"),
        ("SUBSCRIBE id 0", packet(0x82, uint16(0), string("a"), [0]), "SUBSCRIBE: the packet identifier is 0, must be nonzero (MQTT 3.1.1 §2.3.1)"),
        ("SUBACK id 0", packet(0x90, uint16(0), [0]), "SUBACK: the packet identifier is 0, must be nonzero (MQTT 3.1.1 §2.3.1)"),
        ("UNSUBSCRIBE id 0", packet(0xA2, uint16(0), string("a")), "UNSUBSCRIBE: the packet identifier is 0, must be nonzero (MQTT 3.1.1 §2.3.1)"),
        // CONNECT (§3.1).
        ("MQTT 3.1's MQIsdp", packet(0x10, string("MQIsdp"), [3, 2, 0, 60], string("c")), "CONNECT: the protocol name is \"MQIsdp\", must be \"MQTT\" (MQTT 3.1.1 §3.1.2.1)"),
        ("protocol level 5", packet(0x10, string("MQTT"), [5, 2, 0, 60], string("c")), "CONNECT: the protocol level is 5, must be 4 (MQTT 3.1.1 §3.1.2.2)"),
        ("reserved connect flag", packet(0x10, connectHeader(flags: 0x03), string("c")), "CONNECT: the reserved bit 0 of the connect flags is 1, must be 0 (MQTT 3.1.1 §3.1.2.3)"),
        ("will QoS without will", packet(0x10, connectHeader(flags: 0x0A), string("c")), "CONNECT: the will QoS is 1 without the will flag, must be 0 (MQTT 3.1.1 §3.1.2.6)"),
        ("will retain without will", packet(0x10, connectHeader(flags: 0x22), string("c")), "CONNECT: will retain is set without the will flag (MQTT 3.1.1 §3.1.2.7)"),
        ("will QoS 3", packet(0x10, connectHeader(flags: 0x1E), string("c"), string("w"), field([])), "CONNECT: the will QoS is 3, which is reserved (MQTT 3.1.1 §3.1.2.6)"),
        ("password without user name", packet(0x10, connectHeader(flags: 0x42), string("c"), field([1])),
         "CONNECT: the password flag is set without the user name flag (MQTT 3.1.1 §3.1.2.9)"),
        ("empty client id without clean session", packet(0x10, connectHeader(flags: 0x00), string("")),
         "CONNECT: the client identifier is empty without clean session (MQTT 3.1.1 §3.1.3.1)"),
        ("will topic with a wildcard", packet(0x10, connectHeader(flags: 0x06), string("c"), string("w/#"), field([])),
         "CONNECT: the will topic contains the wildcard '#' (MQTT 3.1.1 §4.7.1.1)"),
        ("empty will topic", packet(0x10, connectHeader(flags: 0x06), string("c"), string(""), field([])), "CONNECT: the will topic is empty (MQTT 3.1.1 §4.7.3)"),
        // CONNACK (§3.2).
        ("CONNACK reserved flags", [0x20, 0x02, 0x02, 0x00], "CONNACK: the acknowledge flags are 0x02, bits 7 to 1 are reserved and must be 0 (MQTT 3.1.1 §3.2.2.1)"),
        ("CONNACK return code 6", [0x20, 0x02, 0x00, 0x06], "CONNACK: the return code 6 is reserved (MQTT 3.1.1 §3.2.2.3)"),
        ("session present with a refusal", [0x20, 0x02, 0x01, 0x05], "CONNACK: session present is set with the refusal 5, must be 0 (MQTT 3.1.1 §3.2.2.2)"),
        // PUBLISH (§3.3).
        ("topic with '+'", packet(0x30, string("alleycat/+")), "PUBLISH: the topic name contains the wildcard '+' (MQTT 3.1.1 §3.3.2.1)"),
        ("topic with '#'", packet(0x32, string("#"), uint16(1)), "PUBLISH: the topic name contains the wildcard '#' (MQTT 3.1.1 §3.3.2.1)"),
        ("empty topic", packet(0x30, string(""), [1, 2]), "PUBLISH: the topic name is empty (MQTT 3.1.1 §4.7.3)"),
        // SUBSCRIBE (§3.8), SUBACK (§3.9), UNSUBSCRIBE (§3.10).
        ("SUBSCRIBE without filters", packet(0x82, uint16(1)), "SUBSCRIBE: the payload has no topic filter, must have at least one (MQTT 3.1.1 §3.8.3)"),
        ("requested QoS 3", packet(0x82, uint16(1), string("a"), [3]), "SUBSCRIBE: the requested QoS of topic filter 1 is 0x03, must be 0x00, 0x01 or 0x02 (MQTT 3.1.1 §3.8.3.1)"),
        ("requested QoS reserved bits", packet(0x82, uint16(1), string("a"), [1], string("b"), [0x41]),
         "SUBSCRIBE: the requested QoS of topic filter 2 is 0x41, must be 0x00, 0x01 or 0x02 (MQTT 3.1.1 §3.8.3.1)"),
        ("filter with '#' in a level", packet(0x82, uint16(1), string("sport/ten#"), [0]),
         "SUBSCRIBE: topic filter 1 has '#' sharing a level with other characters (MQTT 3.1.1 §4.7.1.2)"),
        ("filter with '#' not last", packet(0x82, uint16(1), string("a"), [0], string("sport/#/ranking"), [0]),
         "SUBSCRIBE: topic filter 2 has '#' before its last level (MQTT 3.1.1 §4.7.1.2)"),
        ("filter with '+' in a level", packet(0x82, uint16(1), string("sport+"), [0]),
         "SUBSCRIBE: topic filter 1 has '+' sharing a level with other characters (MQTT 3.1.1 §4.7.1.3)"),
        ("empty filter", packet(0x82, uint16(1), string(""), [0]), "SUBSCRIBE: topic filter 1 is empty (MQTT 3.1.1 §4.7.3)"),
        ("SUBACK without return codes", packet(0x90, uint16(1)),
         "SUBACK: the payload has no return code, must have one per topic filter subscribed to (MQTT 3.1.1 §3.9.3)"),
        ("SUBACK return code 3", packet(0x90, uint16(1), [0x80, 0x03]), "SUBACK: return code 2 is 0x03, must be 0x00, 0x01, 0x02 or 0x80 (MQTT 3.1.1 §3.9.3)"),
        ("SUBACK return code 0x81", packet(0x90, uint16(1), [0x81]), "SUBACK: return code 1 is 0x81, must be 0x00, 0x01, 0x02 or 0x80 (MQTT 3.1.1 §3.9.3)"),
        ("UNSUBSCRIBE without filters", packet(0xA2, uint16(1)), "UNSUBSCRIBE: the payload has no topic filter, must have at least one (MQTT 3.1.1 §3.10.3)"),
        ("UNSUBSCRIBE bad filter", packet(0xA2, uint16(1), string("a/#"), string("+a")),
         "UNSUBSCRIBE: topic filter 2 has '+' sharing a level with other characters (MQTT 3.1.1 §4.7.1.3)"),
    ]

    @Test(arguments: refusals)
    func refuses(_ name: String, _ bytes: [UInt8], _ message: String) {
        #expect(refusal(bytes) == message, "\(name): \(hexString(bytes))")
    }

    /// The refusals are of whole packets, not of bytes cut short: each is nil or the same
    /// refusal at every shorter prefix.
    @Test(arguments: refusals)
    func aPrefixIsIncompleteOrRefusedAlike(_ name: String, _ bytes: [UInt8], _ message: String) {
        for length in 0..<bytes.count {
            let prefix = Array(bytes.prefix(length))
            if let early = refusal(prefix) {
                #expect(early == message, "\(name) cut to \(length) bytes")
            } else {
                #expect(isIncomplete(prefix), "\(name) cut to \(length) bytes")
            }
        }
    }

    @Test func errorsAreTyped() {
        #expect(throws: MQTTWireError.zeroPacketId(.puback)) { try MQTTPacketReader.read([0x40, 0x02, 0x00, 0x00]) }
        #expect(throws: MQTTWireError.packetTooLarge(bytes: 2_000_000, limit: 1 << 20)) { try MQTTPacketReader.read([0x30, 0xFC, 0x88, 0x7A]) }
        #expect(throws: MQTTWireError.wildcardInTopicName(.publish, .topicName, wildcard: "+")) { try MQTTPacketReader.read(packet(0x30, string("+"))) }
    }

    @Test func stringsKeepTheirCharacters() throws {
        // Control characters and U+FEFF, which §1.5.3 says a string should not hold but a receiver may take.
        let topic = "a\u{1}\u{7F}\u{FEFF}b"
        let read = try MQTTPacketReader.read(packet(0x30, string(topic)))
        #expect(read?.packet == .publish(MQTTPublish(topic: topic, payload: [])))
    }
}
