/// Why bytes are not an MQTT 3.1.1 packet, or a string not a topic name or filter. Cases
/// that a packet's body breaks name the packet; topic and string cases found by
/// `MQTTTopic.validateName` and `validateFilter` have none. `description` says what is
/// wrong, where, and the section of the OASIS standard that rules it out.
public enum MQTTWireError: Error, Sendable, Equatable, CustomStringConvertible {
    // The fixed header (§2.2).

    /// A first byte of packet type 0 or 15, which §2.2.1 reserves.
    case reservedPacketType(firstByte: UInt8)
    /// The low four bits of the first byte are not what §2.2.2 requires for the type.
    case invalidFlags(MQTTPacketType, flags: UInt8)
    /// A PUBLISH with both QoS bits set (§3.3.1.2).
    case publishQoS3
    /// A QoS 0 PUBLISH with the DUP flag (§3.3.1.1).
    case publishDuplicateAtQoS0
    /// A fourth byte of the remaining length with the continuation bit (§2.2.3).
    case remainingLengthTooLong
    /// A remaining length in more bytes than its value needs.
    case remainingLengthNotShortest(length: Int, byteCount: Int)
    /// A packet that has only fixed fields, with another remaining length than they take.
    case remainingLengthMismatch(MQTTPacketType, length: Int, required: Int)
    /// A packet longer (fixed header included) than the reader's `maxPacketBytes`.
    case packetTooLarge(bytes: Int, limit: Int)

    // Fields of the variable header and payload.

    /// A field that runs past the end of the packet: it needs `needs` bytes from where it
    /// starts, the remaining length leaves `left`.
    case fieldPastEnd(MQTTPacketType, Field, needs: Int, left: Int)
    /// Bytes inside the remaining length after the packet's last field.
    case trailingBytes(MQTTPacketType, count: Int)
    /// A UTF-8 string field that is not well-formed UTF-8 (§1.5.3).
    case invalidUTF8(MQTTPacketType?, Field)
    /// A UTF-8 string field with the character U+0000 (§1.5.3).
    case nullCharacter(MQTTPacketType?, Field)
    /// A string longer than the 65,535 bytes its length prefix can say (§1.5.3).
    case stringTooLong(MQTTPacketType?, Field, byteCount: Int)
    /// A packet identifier of 0 (§2.3.1).
    case zeroPacketId(MQTTPacketType)

    // CONNECT (§3.1) and CONNACK (§3.2).

    case protocolName(String)
    case protocolLevel(UInt8)
    /// Bit 0 of the connect flags, which is reserved (§3.1.2.3).
    case connectReservedFlag
    /// Will QoS bits without the will flag (§3.1.2.6).
    case willQoSWithoutWill(UInt8)
    /// Will retain without the will flag (§3.1.2.7).
    case willRetainWithoutWill
    /// Both will QoS bits set (§3.1.2.6).
    case willQoS3
    /// The password flag without the user name flag (§3.1.2.9).
    case passwordWithoutUsername
    /// A zero-byte client identifier without clean session (§3.1.3.1).
    case emptyClientIdWithoutCleanSession
    /// Any of bits 7 to 1 of the acknowledge flags (§3.2.2.1).
    case connackReservedFlags(UInt8)
    /// A return code from 6 up, which §3.2.2.3 reserves.
    case connackReturnCode(UInt8)
    /// Session present with a refusal (§3.2.2.2).
    case sessionPresentWithRefusal(MQTTConnectReturnCode)

    // SUBSCRIBE (§3.8), SUBACK (§3.9), UNSUBSCRIBE (§3.10).

    /// A SUBSCRIBE or UNSUBSCRIBE without a topic filter, or a SUBACK without a return code.
    case emptyPayload(MQTTPacketType)
    /// A requested QoS byte other than 0, 1 and 2 of the subscription at `index` (from 1).
    case requestedQoS(index: Int, byte: UInt8)
    /// A return code other than 0, 1, 2 and 0x80 at `index` (from 1).
    case subackReturnCode(index: Int, byte: UInt8)

    // Topic names and filters (§4.7).

    /// A topic name or filter of no characters (§4.7.3).
    case emptyTopic(MQTTPacketType?, Field)
    /// `+` or `#` in a topic name (§3.3.2.1, §4.7.1.1).
    case wildcardInTopicName(MQTTPacketType?, Field, wildcard: Character)
    /// A `#` that is not the last level of a filter (§4.7.1.2).
    case hashNotLast(MQTTPacketType?, Field)
    /// A `+` or `#` that shares its level with other characters (§4.7.1.2, §4.7.1.3).
    case wildcardNotAlone(MQTTPacketType?, Field, wildcard: Character)

    /// The field of a packet an error is about.
    public enum Field: Sendable, Equatable, CustomStringConvertible {
        case protocolName, protocolLevel, connectFlags, keepAlive, clientId, willTopic, willMessage, username, password
        case acknowledgeFlags, returnCode
        case topicName, packetId
        /// The filter at an index from 1 in a SUBSCRIBE or UNSUBSCRIBE; nil for one on its own.
        case topicFilter(Int?)
        /// The requested QoS byte of the filter at an index from 1.
        case requestedQoS(Int)

        public var description: String {
            switch self {
            case .protocolName: "the protocol name"
            case .protocolLevel: "the protocol level"
            case .connectFlags: "the connect flags"
            case .keepAlive: "the keep alive"
            case .clientId: "the client identifier"
            case .willTopic: "the will topic"
            case .willMessage: "the will message"
            case .username: "the user name"
            case .password: "the password"
            case .acknowledgeFlags: "the acknowledge flags"
            case .returnCode: "the return code"
            case .topicName: "the topic name"
            case .packetId: "the packet identifier"
            case let .topicFilter(index): index.map { "topic filter \($0)" } ?? "the topic filter"
            case let .requestedQoS(index): "the requested QoS of topic filter \(index)"
            }
        }
    }

    public var description: String {
        switch self {
        case let .reservedPacketType(firstByte):
            "the first byte \(hex(firstByte)) has packet type \(firstByte >> 4), which is reserved (MQTT 3.1.1 §2.2.1)"
        case let .invalidFlags(type, flags):
            "\(type): the fixed header flags are \(bits(flags)), must be \(bits(type.requiredFlags)) (MQTT 3.1.1 §2.2.2)"
        case .publishQoS3:
            "PUBLISH: the QoS bits are 3, which is reserved (MQTT 3.1.1 §3.3.1.2)"
        case .publishDuplicateAtQoS0:
            "PUBLISH: the DUP flag is set on a QoS 0 message (MQTT 3.1.1 §3.3.1.1)"
        case .remainingLengthTooLong:
            "the remaining length has more than 4 bytes (MQTT 3.1.1 §2.2.3)"
        case let .remainingLengthNotShortest(length, byteCount):
            "the remaining length \(length) is written in \(byteCount) bytes, not in its shortest form of \(RemainingLength.byteCount(length)) (MQTT 3.1.1 §2.2.3)"
        case let .remainingLengthMismatch(type, length, required):
            "\(type): the remaining length is \(length), must be \(required) (MQTT 3.1.1 §\(type.section).1)"
        case let .packetTooLarge(bytes, limit):
            "a packet of \(bytes) bytes is over the limit of \(limit)"
        case let .fieldPastEnd(type, field, needs, left):
            "\(type): \(field) needs \(count(needs, "byte")) but \(left) \(left == 1 ? "is" : "are") left in the packet"
        case let .trailingBytes(type, count):
            "\(type): \(self.count(count, "byte")) \(count == 1 ? "is" : "are") left in the packet after its last field"
        case let .invalidUTF8(type, field):
            "\(prefix(type))\(field) is not valid UTF-8 (MQTT 3.1.1 §1.5.3)"
        case let .nullCharacter(type, field):
            "\(prefix(type))\(field) contains U+0000 (MQTT 3.1.1 §1.5.3)"
        case let .stringTooLong(type, field, byteCount):
            "\(prefix(type))\(field) is \(byteCount) bytes of UTF-8, over the 65535 an MQTT string can hold (MQTT 3.1.1 §1.5.3)"
        case let .zeroPacketId(type):
            "\(type): the packet identifier is 0, must be nonzero (MQTT 3.1.1 §2.3.1)"
        case let .protocolName(name):
            "CONNECT: the protocol name is \"\(name)\", must be \"MQTT\" (MQTT 3.1.1 §3.1.2.1)"
        case let .protocolLevel(level):
            "CONNECT: the protocol level is \(level), must be 4 (MQTT 3.1.1 §3.1.2.2)"
        case .connectReservedFlag:
            "CONNECT: the reserved bit 0 of the connect flags is 1, must be 0 (MQTT 3.1.1 §3.1.2.3)"
        case let .willQoSWithoutWill(qos):
            "CONNECT: the will QoS is \(qos) without the will flag, must be 0 (MQTT 3.1.1 §3.1.2.6)"
        case .willRetainWithoutWill:
            "CONNECT: will retain is set without the will flag (MQTT 3.1.1 §3.1.2.7)"
        case .willQoS3:
            "CONNECT: the will QoS is 3, which is reserved (MQTT 3.1.1 §3.1.2.6)"
        case .passwordWithoutUsername:
            "CONNECT: the password flag is set without the user name flag (MQTT 3.1.1 §3.1.2.9)"
        case .emptyClientIdWithoutCleanSession:
            "CONNECT: the client identifier is empty without clean session (MQTT 3.1.1 §3.1.3.1)"
        case let .connackReservedFlags(flags):
            "CONNACK: the acknowledge flags are \(hex(flags)), bits 7 to 1 are reserved and must be 0 (MQTT 3.1.1 §3.2.2.1)"
        case let .connackReturnCode(code):
            "CONNACK: the return code \(code) is reserved (MQTT 3.1.1 §3.2.2.3)"
        case let .sessionPresentWithRefusal(code):
            "CONNACK: session present is set with the refusal \(code.rawValue), must be 0 (MQTT 3.1.1 §3.2.2.2)"
        case let .emptyPayload(type):
            type == .suback
                ? "SUBACK: the payload has no return code, must have one per topic filter subscribed to (MQTT 3.1.1 §3.9.3)"
                : "\(type): the payload has no topic filter, must have at least one (MQTT 3.1.1 §\(type.section).3)"
        case let .requestedQoS(index, byte):
            "SUBSCRIBE: the requested QoS of topic filter \(index) is \(hex(byte)), must be 0x00, 0x01 or 0x02 (MQTT 3.1.1 §3.8.3.1)"
        case let .subackReturnCode(index, byte):
            "SUBACK: return code \(index) is \(hex(byte)), must be 0x00, 0x01, 0x02 or 0x80 (MQTT 3.1.1 §3.9.3)"
        case let .emptyTopic(type, field):
            "\(prefix(type))\(field) is empty (MQTT 3.1.1 §4.7.3)"
        case let .wildcardInTopicName(type, field, wildcard):
            "\(prefix(type))\(field) contains the wildcard '\(wildcard)' (MQTT 3.1.1 \(type == .connect ? "§4.7.1.1" : "§3.3.2.1"))"
        case let .hashNotLast(type, field):
            "\(prefix(type))\(field) has '#' before its last level (MQTT 3.1.1 §4.7.1.2)"
        case let .wildcardNotAlone(type, field, wildcard):
            "\(prefix(type))\(field) has '\(wildcard)' sharing a level with other characters (MQTT 3.1.1 \(wildcard == "#" ? "§4.7.1.2" : "§4.7.1.3"))"
        }
    }

    private func prefix(_ type: MQTTPacketType?) -> String {
        type.map { "\($0): " } ?? ""
    }

    private func count(_ value: Int, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count == 1 ? "0" + digits : digits)
    }

    /// The four flag bits, as §2.2.2's table writes them.
    private func bits(_ flags: UInt8) -> String {
        String((0..<4).reversed().map { flags >> $0 & 1 == 1 ? "1" : "0" })
    }
}
