/// A PUBLISH packet (MQTT 3.1.1 §3.3): an application message on a topic.
public struct MQTTPublish: Sendable, Equatable {
    /// A topic name: no wildcards, not empty (§3.3.2.1, §4.7).
    public var topic: String
    /// Any bytes, possibly none (§3.3.3).
    public var payload: [UInt8]
    public var qos: MQTTQoS
    public var retain: Bool
    /// Set on a redelivery; never at QoS 0 (§3.3.1.1).
    public var duplicate: Bool
    /// Present, and nonzero, exactly when `qos` is above 0 (§2.3.1). The encoder stops the
    /// process for a packet that breaks the "exactly when": it has no bytes for it.
    public var packetId: UInt16?

    public init(
        topic: String, payload: [UInt8], qos: MQTTQoS = .atMostOnce, retain: Bool = false, duplicate: Bool = false,
        packetId: UInt16? = nil
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.duplicate = duplicate
        self.packetId = packetId
    }
}
