@testable import MQTTWire

/// A packet's bytes from its first byte and the pieces of its body, the remaining length
/// worked out (in its shortest form).
func packet(_ first: UInt8, _ body: [UInt8]...) -> [UInt8] {
    let body = body.flatMap { $0 }
    var bytes = [first]
    RemainingLength.write(body.count, to: &bytes)
    return bytes + body
}

/// A UTF-8 string field: two-byte length, then the bytes.
func string(_ text: String) -> [UInt8] {
    field(Array(text.utf8))
}

/// A field of these bytes behind a two-byte length.
func field(_ bytes: [UInt8]) -> [UInt8] {
    uint16(UInt16(bytes.count)) + bytes
}

func uint16(_ value: UInt16) -> [UInt8] {
    [UInt8(value >> 8), UInt8(value & 0xFF)]
}

/// A CONNECT's variable header for MQTT 3.1.1 with these connect flags and keep-alive 60.
func connectHeader(flags: UInt8) -> [UInt8] {
    string("MQTT") + [4, flags] + uint16(60)
}

/// What the reader refuses `bytes` with, or nil when it does not.
func refusal(_ bytes: [UInt8], maxPacketBytes: Int = 1 << 20) -> String? {
    do {
        _ = try MQTTPacketReader.read(bytes, maxPacketBytes: maxPacketBytes)
        return nil
    } catch {
        return error.description
    }
}

/// Whether the reader asks for more bytes.
func isIncomplete(_ bytes: [UInt8]) -> Bool {
    do {
        return try MQTTPacketReader.read(bytes) == nil
    } catch {
        return false
    }
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
}

/// One of each packet type, and the variants of each that take other bytes.
let everyPacket: [MQTTPacket] = [
    .connect(MQTTConnect(clientId: "alleycat", cleanSession: true, keepAliveSeconds: 60)),
    .connect(MQTTConnect(clientId: "", cleanSession: true, keepAliveSeconds: 0)),
    .connect(
        MQTTConnect(
            clientId: "racer-7", cleanSession: false, keepAliveSeconds: 65_535, username: "zoë", password: [0, 0xFF, 0x0A],
            will: MQTTWill(topic: "alleycat/racers/7/status", payload: Array("gone".utf8), qos: .exactlyOnce, retain: true))),
    .connect(MQTTConnect(clientId: "c", cleanSession: true, keepAliveSeconds: 1, username: "", will: MQTTWill(topic: "w", payload: []))),
    .connect(MQTTConnect(clientId: "c", cleanSession: true, keepAliveSeconds: 1, username: "u", password: [])),
    .connack(sessionPresent: false, returnCode: .accepted),
    .connack(sessionPresent: true, returnCode: .accepted),
    .connack(sessionPresent: false, returnCode: .notAuthorized),
    .publish(MQTTPublish(topic: "alleycat/race/1", payload: Array(#"{"second":12}"#.utf8))),
    .publish(MQTTPublish(topic: "a", payload: [], retain: true)),
    .publish(MQTTPublish(topic: "alleycat-publish", payload: [1, 2, 3], qos: .atLeastOnce, packetId: 7)),
    .publish(MQTTPublish(topic: "alleycat/zoë/🚲", payload: [0], qos: .exactlyOnce, retain: true, duplicate: true, packetId: 65_535)),
    .publish(MQTTPublish(topic: "/", payload: Array(repeating: 0xAB, count: 300), qos: .atLeastOnce, duplicate: true, packetId: 1)),
    .puback(packetId: 7),
    .pubrec(packetId: 8),
    .pubrel(packetId: 9),
    .pubcomp(packetId: 10),
    .subscribe(
        packetId: 11,
        subscriptions: [
            MQTTSubscription(filter: "sport/tennis/#", qos: .atMostOnce), MQTTSubscription(filter: "+/x", qos: .atLeastOnce),
            MQTTSubscription(filter: "$SYS/#", qos: .exactlyOnce),
        ]),
    .suback(packetId: 11, returnCodes: [0, 1, 2, 0x80]),
    .unsubscribe(packetId: 12, filters: ["sport/tennis/#", "#"]),
    .unsuback(packetId: 12),
    .pingreq,
    .pingresp,
    .disconnect,
]
