/// The control packet types of MQTT 3.1.1 (§2.2.1): the high four bits of a packet's first
/// byte. 0 and 15 are reserved.
public enum MQTTPacketType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case connect = 1
    case connack
    case publish
    case puback
    case pubrec
    case pubrel
    case pubcomp
    case subscribe
    case suback
    case unsubscribe
    case unsuback
    case pingreq
    case pingresp
    case disconnect

    /// The name the standard gives it: "CONNECT", "PUBACK".
    public var description: String {
        switch self {
        case .connect: "CONNECT"
        case .connack: "CONNACK"
        case .publish: "PUBLISH"
        case .puback: "PUBACK"
        case .pubrec: "PUBREC"
        case .pubrel: "PUBREL"
        case .pubcomp: "PUBCOMP"
        case .subscribe: "SUBSCRIBE"
        case .suback: "SUBACK"
        case .unsubscribe: "UNSUBSCRIBE"
        case .unsuback: "UNSUBACK"
        case .pingreq: "PINGREQ"
        case .pingresp: "PINGRESP"
        case .disconnect: "DISCONNECT"
        }
    }

    /// The section that describes the packet (§3.1 for CONNECT ... §3.14 for DISCONNECT).
    var section: String { "3.\(rawValue)" }

    /// The low four bits of the first byte for every type but PUBLISH, whose bits are its
    /// DUP, QoS and RETAIN (§2.2.2).
    var requiredFlags: UInt8 {
        switch self {
        case .pubrel, .subscribe, .unsubscribe: 0b0010
        default: 0
        }
    }

    /// The remaining length of the packets that have only fixed fields: the reader refuses
    /// another as soon as it has read the length.
    var fixedRemainingLength: Int? {
        switch self {
        case .connack, .puback, .pubrec, .pubrel, .pubcomp, .unsuback: 2
        case .pingreq, .pingresp, .disconnect: 0
        case .connect, .publish, .subscribe, .suback, .unsubscribe: nil
        }
    }
}
