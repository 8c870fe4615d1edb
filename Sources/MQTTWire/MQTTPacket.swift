/// One MQTT 3.1.1 control packet (OASIS standard, 29 October 2014, §3). `MQTTPacketReader`
/// reads one from bytes; `write(to:)` and `bytes` (MQTTPacket+Write.swift) write one.
public enum MQTTPacket: Sendable, Equatable {
    case connect(MQTTConnect)
    /// `sessionPresent` only with `.accepted` (§3.2.2.2).
    case connack(sessionPresent: Bool, returnCode: MQTTConnectReturnCode)
    case publish(MQTTPublish)
    case puback(packetId: UInt16)
    case pubrec(packetId: UInt16)
    case pubrel(packetId: UInt16)
    case pubcomp(packetId: UInt16)
    /// At least one subscription (§3.8.3).
    case subscribe(packetId: UInt16, subscriptions: [MQTTSubscription])
    /// One return code per filter subscribed to: the granted QoS 0, 1 or 2, or 0x80 for a
    /// failure (§3.9.3).
    case suback(packetId: UInt16, returnCodes: [UInt8])
    /// At least one filter (§3.10.3).
    case unsubscribe(packetId: UInt16, filters: [String])
    case unsuback(packetId: UInt16)
    case pingreq
    case pingresp
    case disconnect

    public var type: MQTTPacketType {
        switch self {
        case .connect: .connect
        case .connack: .connack
        case .publish: .publish
        case .puback: .puback
        case .pubrec: .pubrec
        case .pubrel: .pubrel
        case .pubcomp: .pubcomp
        case .subscribe: .subscribe
        case .suback: .suback
        case .unsubscribe: .unsubscribe
        case .unsuback: .unsuback
        case .pingreq: .pingreq
        case .pingresp: .pingresp
        case .disconnect: .disconnect
        }
    }
}
