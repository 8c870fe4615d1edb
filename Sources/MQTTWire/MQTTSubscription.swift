/// One topic filter of a SUBSCRIBE and the QoS asked for on it (MQTT 3.1.1 §3.8.3).
public struct MQTTSubscription: Sendable, Equatable {
    /// A topic filter, which may hold the wildcards `+` and `#` (§4.7.1).
    public var filter: String
    /// The highest QoS the server may send its messages with.
    public var qos: MQTTQoS

    public init(filter: String, qos: MQTTQoS) {
        self.filter = filter
        self.qos = qos
    }
}
