import ArgumentParser
import MQTT
import MQTTWire

/// The MQTT options `alleycat serve` and `alleycat-sim` share: the broker, the topic bikes
/// publish on and at what QoS, where results go, and the certificates to trust.
public struct MQTTOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("mqtt"), help: "An MQTT broker (Mosquitto, for example): mqtt://[USER:PASSWORD@]HOST:PORT (port 1883), or mqtts:// for TLS (8883). Off unless given.")
    public var url: String?

    @Option(name: .customLong("mqtt-topic"), help: "With --mqtt: the topic bikes publish on (the original's topic rule: SELECT * FROM 'alleycat-publish').")
    public var topic = "alleycat-publish"

    @Option(name: .customLong("mqtt-qos"), help: "With --mqtt: the bikes' messages at QoS 1 (each acknowledged: to a bike by the broker, to the broker by the service once the stream has it, so nothing is lost across a crash) or 0 (at most once).")
    public var qos = 1

    @Option(name: .customLong("mqtt-results-topic"), help: "With --mqtt: where the service publishes every second's results (QoS 0), and TOPIC/class/N per class.")
    public var resultsTopic = "alleycat-subscribe"

    @Option(name: .customLong("mqtt-ca-file"), help: "With an mqtts:// --mqtt: a PEM file of the certificates to trust (default: the system's).")
    public var caFile: String?

    public init() {}

    public func validate() throws {
        if let url {
            do {
                _ = try MQTTURL(url)
            } catch {
                throw ValidationError("--mqtt: \(error)")
            }
        }
        if qos != 0 && qos != 1 { throw ValidationError("--mqtt-qos must be 0 or 1, got \(qos)") }
        for (option, topic) in [("--mqtt-topic", topic), ("--mqtt-results-topic", resultsTopic)] {
            do throws(MQTTWireError) {
                try MQTTTopic.validateName(topic)
            } catch {
                throw ValidationError("\(option) '\(topic)' is not a topic name: \(error)")
            }
        }
    }

    /// The broker, once `validate()` has passed (nil without `--mqtt`).
    public var broker: MQTTURL? { url.flatMap { try? MQTTURL($0) } }

    public var qosLevel: MQTTQoS { qos == 0 ? .atMostOnce : .atLeastOnce }
}
