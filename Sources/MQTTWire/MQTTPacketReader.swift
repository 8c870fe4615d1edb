/// Reads MQTT 3.1.1 packets off the front of a byte stream. Everything the standard
/// requires of a packet's bytes is checked; what a packet means in a session (whether a
/// PUBACK's identifier is one in flight) is the caller's.
///
/// The fixed header is judged as soon as its bytes are there: a reserved type or wrong
/// flags from the first byte, a bad, too-long or wrong-for-the-type remaining length before
/// the body arrives. So a reader need never buffer a packet it would refuse, and nothing is
/// allocated from a declared length before the bytes it declares are in hand.
public enum MQTTPacketReader {
    /// The first whole packet at the start of `bytes` and how many bytes it took, or nil when
    /// `bytes` holds only part of one (read more and call again). Throws for bytes that can never
    /// be a valid packet, or one longer than `maxPacketBytes` (refused as soon as the remaining
    /// length is read, before the body arrives).
    ///
    /// `maxPacketBytes` counts the whole packet: the first byte, the remaining length's bytes
    /// and the remaining length.
    public static func read(_ bytes: UnsafeRawBufferPointer, maxPacketBytes: Int = 1 << 20) throws(MQTTWireError) -> (packet: MQTTPacket, consumed: Int)? {
        guard let first = bytes.first else { return nil }
        let type = try packetType(first)
        guard let (length, lengthBytes) = try RemainingLength.read(bytes, at: 1) else { return nil }
        if let required = type.fixedRemainingLength, length != required {
            throw .remainingLengthMismatch(type, length: length, required: required)
        }
        let total = 1 + lengthBytes + length
        guard total <= maxPacketBytes else { throw .packetTooLarge(bytes: total, limit: maxPacketBytes) }
        guard bytes.count >= total else { return nil }
        var body = PacketBody(UnsafeRawBufferPointer(rebasing: bytes[1 + lengthBytes..<total]), of: type)
        return (try packet(type, flags: first & 0x0F, &body), total)
    }

    /// `read` over an array.
    public static func read(_ bytes: [UInt8], maxPacketBytes: Int = 1 << 20) throws(MQTTWireError) -> (packet: MQTTPacket, consumed: Int)? {
        // withUnsafeBytes rethrows an untyped error; the Result keeps the type.
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(MQTTWireError) in try read(buffer, maxPacketBytes: maxPacketBytes) }
        }.get()
    }

    /// The type of the first byte, once its flags are what §2.2.2 requires.
    static func packetType(_ first: UInt8) throws(MQTTWireError) -> MQTTPacketType {
        guard let type = MQTTPacketType(rawValue: first >> 4) else { throw .reservedPacketType(firstByte: first) }
        let flags = first & 0x0F
        if type == .publish {
            if flags & 0b0110 == 0b0110 { throw .publishQoS3 }
            if flags & 0b1110 == 0b1000 { throw .publishDuplicateAtQoS0 }
        } else if flags != type.requiredFlags {
            throw .invalidFlags(type, flags: flags)
        }
        return type
    }

    private static func packet(_ type: MQTTPacketType, flags: UInt8, _ body: inout PacketBody) throws(MQTTWireError) -> MQTTPacket {
        switch type {
        case .connect:
            return .connect(try connect(&body))
        case .connack:
            let acknowledge = try body.byte(.acknowledgeFlags)
            guard acknowledge & 0xFE == 0 else { throw .connackReservedFlags(acknowledge) }
            let code = try body.byte(.returnCode)
            guard let returnCode = MQTTConnectReturnCode(rawValue: code) else { throw .connackReturnCode(code) }
            let sessionPresent = acknowledge == 1
            if sessionPresent, returnCode != .accepted { throw .sessionPresentWithRefusal(returnCode) }
            return .connack(sessionPresent: sessionPresent, returnCode: returnCode)
        case .publish:
            // The fixed header's checks left QoS 0, 1 or 2.
            let qos = MQTTQoS(rawValue: flags >> 1 & 0x03) ?? .atMostOnce
            let topic = try body.string(.topicName)
            try MQTTTopic.checkName(topic, in: .publish, .topicName)
            let packetId = qos == .atMostOnce ? nil : try body.packetId()
            return .publish(
                MQTTPublish(topic: topic, payload: body.rest(), qos: qos, retain: flags & 0x01 != 0, duplicate: flags & 0x08 != 0, packetId: packetId))
        case .puback:
            return .puback(packetId: try body.packetId())
        case .pubrec:
            return .pubrec(packetId: try body.packetId())
        case .pubrel:
            return .pubrel(packetId: try body.packetId())
        case .pubcomp:
            return .pubcomp(packetId: try body.packetId())
        case .subscribe:
            let packetId = try body.packetId()
            guard body.left > 0 else { throw .emptyPayload(.subscribe) }
            var subscriptions: [MQTTSubscription] = []
            while body.left > 0 {
                let index = subscriptions.count + 1
                let filter = try body.string(.topicFilter(index))
                try MQTTTopic.checkFilter(filter, in: .subscribe, .topicFilter(index))
                // The upper six bits are reserved and must be 0 (§3.8.3.1).
                let requested = try body.byte(.requestedQoS(index))
                guard let qos = MQTTQoS(rawValue: requested) else { throw .requestedQoS(index: index, byte: requested) }
                subscriptions.append(MQTTSubscription(filter: filter, qos: qos))
            }
            return .subscribe(packetId: packetId, subscriptions: subscriptions)
        case .suback:
            let packetId = try body.packetId()
            guard body.left > 0 else { throw .emptyPayload(.suback) }
            let returnCodes = body.rest()
            for (offset, code) in returnCodes.enumerated() where code > 2 && code != 0x80 {
                throw .subackReturnCode(index: offset + 1, byte: code)
            }
            return .suback(packetId: packetId, returnCodes: returnCodes)
        case .unsubscribe:
            let packetId = try body.packetId()
            guard body.left > 0 else { throw .emptyPayload(.unsubscribe) }
            var filters: [String] = []
            while body.left > 0 {
                let index = filters.count + 1
                let filter = try body.string(.topicFilter(index))
                try MQTTTopic.checkFilter(filter, in: .unsubscribe, .topicFilter(index))
                filters.append(filter)
            }
            return .unsubscribe(packetId: packetId, filters: filters)
        case .unsuback:
            return .unsuback(packetId: try body.packetId())
        case .pingreq:
            return .pingreq
        case .pingresp:
            return .pingresp
        case .disconnect:
            return .disconnect
        }
    }

    /// CONNECT's variable header (§3.1.2) and payload (§3.1.3). Only protocol "MQTT" level 4
    /// is taken, not MQTT 3.1's "MQIsdp" level 3: `MQTTConnect` has no field for the
    /// version, so a 3.1 CONNECT would not write back as it came.
    private static func connect(_ body: inout PacketBody) throws(MQTTWireError) -> MQTTConnect {
        let name = try body.string(.protocolName)
        guard name == "MQTT" else { throw .protocolName(name) }
        let level = try body.byte(.protocolLevel)
        guard level == 4 else { throw .protocolLevel(level) }
        let flags = try body.byte(.connectFlags)
        guard flags & 0x01 == 0 else { throw .connectReservedFlag }
        let cleanSession = flags & 0x02 != 0
        let willFlag = flags & 0x04 != 0
        let willQoSBits = flags >> 3 & 0x03
        let willRetain = flags & 0x20 != 0
        let passwordFlag = flags & 0x40 != 0
        let usernameFlag = flags & 0x80 != 0
        var willQoS = MQTTQoS.atMostOnce
        if willFlag {
            guard let qos = MQTTQoS(rawValue: willQoSBits) else { throw .willQoS3 }
            willQoS = qos
        } else {
            guard willQoSBits == 0 else { throw .willQoSWithoutWill(willQoSBits) }
            guard !willRetain else { throw .willRetainWithoutWill }
        }
        guard usernameFlag || !passwordFlag else { throw .passwordWithoutUsername }
        let keepAlive = try body.uint16(.keepAlive)

        let clientId = try body.string(.clientId)
        guard cleanSession || !clientId.isEmpty else { throw .emptyClientIdWithoutCleanSession }
        var will: MQTTWill? = nil
        if willFlag {
            let topic = try body.string(.willTopic)
            try MQTTTopic.checkName(topic, in: .connect, .willTopic)
            will = MQTTWill(topic: topic, payload: try body.binary(.willMessage), qos: willQoS, retain: willRetain)
        }
        let username = usernameFlag ? try body.string(.username) : nil
        let password = passwordFlag ? try body.binary(.password) : nil
        try body.finish()
        return MQTTConnect(
            clientId: clientId, cleanSession: cleanSession, keepAliveSeconds: keepAlive, username: username, password: password, will: will)
    }
}
