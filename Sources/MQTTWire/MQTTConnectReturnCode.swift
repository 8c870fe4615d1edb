/// CONNACK return codes of MQTT 3.1.1 (3.2.2.3), with a description a person can act on.
/// Values 6 to 255 are reserved; the reader refuses a CONNACK that has one.
public enum MQTTConnectReturnCode: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case accepted = 0
    case unacceptableProtocolVersion
    case identifierRejected
    case serverUnavailable
    case badUsernameOrPassword
    case notAuthorized

    public var description: String {
        switch self {
        case .accepted:
            "connection accepted"
        case .unacceptableProtocolVersion:
            "connection refused (1, unacceptable protocol version): the server does not speak MQTT 3.1.1 (protocol level 4)"
        case .identifierRejected:
            "connection refused (2, identifier rejected): the server does not allow this client identifier; choose another"
        case .serverUnavailable:
            "connection refused (3, server unavailable): the MQTT service is not available; try again later"
        case .badUsernameOrPassword:
            "connection refused (4, bad user name or password): check the credentials"
        case .notAuthorized:
            "connection refused (5, not authorized): the server does not let this client connect; check its permissions"
        }
    }
}
