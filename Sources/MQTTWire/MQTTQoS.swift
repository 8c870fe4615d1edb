/// The quality of service of a message (MQTT 3.1.1 §4.3): how often it is delivered.
/// The fourth value of the two bits, 3, is reserved (§3.3.1.2).
public enum MQTTQoS: UInt8, Sendable, CaseIterable {
    /// Delivered at most once: no acknowledgement (§4.3.1).
    case atMostOnce = 0
    /// Delivered at least once: acknowledged with PUBACK (§4.3.2).
    case atLeastOnce = 1
    /// Delivered exactly once: PUBREC, PUBREL, PUBCOMP (§4.3.3).
    case exactlyOnce = 2
}
