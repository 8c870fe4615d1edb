/// A CONNECT packet (MQTT 3.1.1 §3.1), always protocol "MQTT" level 4. The connect flags
/// (§3.1.2.3) follow from the fields: the will flag from `will`, the user name and password
/// flags from `username` and `password`.
public struct MQTTConnect: Sendable, Equatable {
    /// Empty only with `cleanSession` (§3.1.3.1); servers must take 1 to 23 of `0-9a-zA-Z`
    /// and may take more.
    public var clientId: String
    public var cleanSession: Bool
    /// The longest the client stays silent, in seconds; 0 turns keep-alive off (§3.1.2.10).
    public var keepAliveSeconds: UInt16
    public var username: String?
    /// Binary data, at most 65,535 bytes (§3.1.3.5); only with a `username` (§3.1.2.9).
    public var password: [UInt8]?
    public var will: MQTTWill?

    public init(
        clientId: String, cleanSession: Bool, keepAliveSeconds: UInt16, username: String? = nil, password: [UInt8]? = nil,
        will: MQTTWill? = nil
    ) {
        self.clientId = clientId
        self.cleanSession = cleanSession
        self.keepAliveSeconds = keepAliveSeconds
        self.username = username
        self.password = password
        self.will = will
    }
}
