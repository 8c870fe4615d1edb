/// The will of a CONNECT (MQTT 3.1.1 §3.1.2.5): the message the server publishes for the
/// client when its connection ends without a DISCONNECT.
public struct MQTTWill: Sendable, Equatable {
    /// A topic name: no wildcards, not empty (§3.1.3.2, §4.7).
    public var topic: String
    /// The will message, at most 65,535 bytes (§3.1.3.3).
    public var payload: [UInt8]
    public var qos: MQTTQoS
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: MQTTQoS = .atMostOnce, retain: Bool = false) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}
