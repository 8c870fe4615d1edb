import MQTTWire
import NIOCore

/// A message the broker delivered on a subscription.
public struct MQTTMessage: Sendable {
    public let topic: String
    public let payload: [UInt8]
    public let qos: MQTTQoS
    /// The broker sent it before (a QoS 1 message not acknowledged on an earlier connection).
    public let duplicate: Bool
    /// For a QoS 1 message, what sends its PUBACK: send it once the message is safe, and
    /// the broker forgets it; until then it delivers it again on the next connection.
    public let acknowledgement: MQTTAcknowledgement?

    public init(topic: String, payload: [UInt8], qos: MQTTQoS = .atMostOnce, duplicate: Bool = false, acknowledgement: MQTTAcknowledgement? = nil) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.duplicate = duplicate
        self.acknowledgement = acknowledgement
    }
}

/// The PUBACK a QoS 1 message is owed, on the connection that delivered it (a new
/// connection gets the message again, with a packet id of its own).
public struct MQTTAcknowledgement: Sendable {
    let channel: any Channel
    public let packetId: UInt16

    /// Sends the PUBACKs, in the order given (MQTT 3.1.1 §4.6: in the order the messages
    /// came), one flush per connection. Those of a connection that has closed are dropped:
    /// the broker delivers their messages again.
    public static func send(_ acknowledgements: [MQTTAcknowledgement]) {
        var last: (any Channel)?
        for acknowledgement in acknowledgements {
            if let previous = last, previous !== acknowledgement.channel { previous.flush() }
            last = acknowledgement.channel
            var buffer = acknowledgement.channel.allocator.buffer(capacity: 4)
            buffer.writeBytes(MQTTPacket.puback(packetId: acknowledgement.packetId).bytes)
            acknowledgement.channel.write(buffer, promise: nil)
        }
        last?.flush()
    }
}

/// What the client reports as its connection comes and goes.
public enum MQTTClientEvent: Sendable, Equatable {
    /// CONNACK accepted; `sessionPresent`: the broker kept the session (and its queued messages).
    case connected(sessionPresent: Bool)
    /// SUBACK: the QoS granted per filter (0x80: refused).
    case subscribed(granted: [UInt8])
    /// The connection ended; the client reconnects after `retryMillis` unless stopped.
    case disconnected(reason: String, retryMillis: Int64?)
}
