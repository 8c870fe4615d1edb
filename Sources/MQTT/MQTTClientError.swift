import MQTTWire

/// Why the client could not do what it was asked, in words a person can act on.
public enum MQTTClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case badURL(String)
    /// No connection to the broker at the moment (the client keeps trying).
    case notConnected(String)
    /// The broker's CONNACK refused the connection.
    case refused(broker: String, MQTTConnectReturnCode)
    /// The connection closed before the broker acknowledged the publish.
    case connectionLost(String)
    case timedOut(String)
    /// The broker sent something MQTT 3.1.1 does not allow here.
    case protocolViolation(String)
    case tls(String)

    public var description: String {
        switch self {
        case let .badURL(message), let .notConnected(message), let .connectionLost(message), let .timedOut(message),
             let .protocolViolation(message), let .tls(message):
            message
        case let .refused(broker, code):
            "the broker at \(broker) refused the connection: \(code)"
        }
    }
}
