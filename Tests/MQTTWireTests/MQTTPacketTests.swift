import MQTTWire
import Testing

/// Writing packets: exact bytes against the layouts of MQTT 3.1.1 §3, and every packet
/// reads back as itself.
@Suite struct MQTTPacketTests {
    @Test func connectWithCleanSessionAndKeepAlive60() {
        let connect = MQTTPacket.connect(MQTTConnect(clientId: "alleycat", cleanSession: true, keepAliveSeconds: 60))
        #expect(connect.bytes == [
            0x10, 20,  // CONNECT, remaining length 20
            0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
            0x04,  // protocol level 4
            0x02,  // connect flags: clean session
            0x00, 0x3C,  // keep alive 60
            0x00, 0x08, 0x61, 0x6C, 0x6C, 0x65, 0x79, 0x63, 0x61, 0x74,  // client identifier "alleycat"
        ])
    }

    @Test func connectWithWillAndCredentials() {
        let connect = MQTTPacket.connect(
            MQTTConnect(
                clientId: "c", cleanSession: false, keepAliveSeconds: 10, username: "u", password: [0xFF],
                will: MQTTWill(topic: "w", payload: [0x01, 0x02], qos: .atLeastOnce, retain: true)))
        #expect(connect.bytes == [
            0x10, 26,
            0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04,
            0xEC,  // user name, password, will retain, will QoS 1, will flag; no clean session
            0x00, 0x0A,
            0x00, 0x01, 0x63,  // client identifier "c"
            0x00, 0x01, 0x77,  // will topic "w"
            0x00, 0x02, 0x01, 0x02,  // will message
            0x00, 0x01, 0x75,  // user name "u"
            0x00, 0x01, 0xFF,  // password
        ])
    }

    @Test func publishAtQoS1WithPacketId7() {
        let publish = MQTTPacket.publish(MQTTPublish(topic: "alleycat-publish", payload: Array("hi".utf8), qos: .atLeastOnce, packetId: 7))
        #expect(publish.bytes == [
            0x32, 22,  // PUBLISH, QoS 1; remaining length 22
            0x00, 0x10, 0x61, 0x6C, 0x6C, 0x65, 0x79, 0x63, 0x61, 0x74, 0x2D, 0x70, 0x75, 0x62, 0x6C, 0x69, 0x73, 0x68,  // "alleycat-publish"
            0x00, 0x07,  // packet identifier 7
            0x68, 0x69,  // payload "hi"
        ])
    }

    @Test func publishFlags() {
        #expect(MQTTPacket.publish(MQTTPublish(topic: "t", payload: [])).bytes == [0x30, 0x03, 0x00, 0x01, 0x74])
        #expect(MQTTPacket.publish(MQTTPublish(topic: "t", payload: [9], retain: true)).bytes == [0x31, 0x04, 0x00, 0x01, 0x74, 0x09])
        #expect(
            MQTTPacket.publish(MQTTPublish(topic: "t", payload: [], qos: .exactlyOnce, retain: true, duplicate: true, packetId: 0x0102)).bytes
                == [0x3D, 0x05, 0x00, 0x01, 0x74, 0x01, 0x02])
    }

    @Test func fixedSizePackets() {
        #expect(MQTTPacket.pingreq.bytes == [0xC0, 0x00])
        #expect(MQTTPacket.pingresp.bytes == [0xD0, 0x00])
        #expect(MQTTPacket.disconnect.bytes == [0xE0, 0x00])
        #expect(MQTTPacket.connack(sessionPresent: true, returnCode: .accepted).bytes == [0x20, 0x02, 0x01, 0x00])
        #expect(MQTTPacket.connack(sessionPresent: false, returnCode: .badUsernameOrPassword).bytes == [0x20, 0x02, 0x00, 0x04])
        #expect(MQTTPacket.puback(packetId: 0x1234).bytes == [0x40, 0x02, 0x12, 0x34])
        #expect(MQTTPacket.pubrec(packetId: 1).bytes == [0x50, 0x02, 0x00, 0x01])
        #expect(MQTTPacket.pubrel(packetId: 1).bytes == [0x62, 0x02, 0x00, 0x01])
        #expect(MQTTPacket.pubcomp(packetId: 1).bytes == [0x70, 0x02, 0x00, 0x01])
        #expect(MQTTPacket.unsuback(packetId: 0xFFFF).bytes == [0xB0, 0x02, 0xFF, 0xFF])
    }

    @Test func subscribeSubackUnsubscribe() {
        let subscribe = MQTTPacket.subscribe(
            packetId: 10, subscriptions: [MQTTSubscription(filter: "a/b", qos: .atLeastOnce), MQTTSubscription(filter: "#", qos: .exactlyOnce)])
        #expect(subscribe.bytes == [0x82, 12, 0x00, 0x0A, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x01, 0x00, 0x01, 0x23, 0x02])
        #expect(MQTTPacket.suback(packetId: 10, returnCodes: [1, 0x80]).bytes == [0x90, 0x04, 0x00, 0x0A, 0x01, 0x80])
        #expect(MQTTPacket.unsubscribe(packetId: 11, filters: ["a/b", "#"]).bytes == [0xA2, 10, 0x00, 0x0B, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x00, 0x01, 0x23])
    }

    @Test func aLongPublishHasATwoByteRemainingLength() {
        let bytes = MQTTPacket.publish(MQTTPublish(topic: "t", payload: Array(repeating: 7, count: 200))).bytes
        #expect(Array(bytes.prefix(5)) == [0x30, 0xCB, 0x01, 0x00, 0x01])  // 203 = 0x4B + 1 × 128
        #expect(bytes.count == 206)
    }

    @Test func writeAppends() {
        var bytes: [UInt8] = [0xEE]
        MQTTPacket.pingreq.write(to: &bytes)
        MQTTPacket.puback(packetId: 5).write(to: &bytes)
        #expect(bytes == [0xEE, 0xC0, 0x00, 0x40, 0x02, 0x00, 0x05])
    }

    @Test(arguments: everyPacket)
    func roundTrips(_ packet: MQTTPacket) throws {
        let bytes = packet.bytes
        let read = try #require(try MQTTPacketReader.read(bytes))
        #expect(read.packet == packet)
        #expect(read.consumed == bytes.count)
        #expect(read.packet.type == packet.type)
        #expect(bytes[0] >> 4 == packet.type.rawValue)
    }

    @Test func everyTypeIsCovered() {
        #expect(Set(everyPacket.map(\.type)) == Set(MQTTPacketType.allCases))
        #expect(MQTTPacketType.allCases.map(\.description) == [
            "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK",
            "PINGREQ", "PINGRESP", "DISCONNECT",
        ])
    }

    @Test func returnCodesSayWhatToDo() {
        #expect(MQTTConnectReturnCode.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5])
        #expect(MQTTConnectReturnCode.accepted.description == "connection accepted")
        #expect(
            MQTTConnectReturnCode.unacceptableProtocolVersion.description
                == "connection refused (1, unacceptable protocol version): the server does not speak MQTT 3.1.1 (protocol level 4)")
        #expect(
            MQTTConnectReturnCode.identifierRejected.description
                == "connection refused (2, identifier rejected): the server does not allow this client identifier; choose another")
        #expect(MQTTConnectReturnCode.serverUnavailable.description == "connection refused (3, server unavailable): the MQTT service is not available; try again later")
        #expect(MQTTConnectReturnCode.badUsernameOrPassword.description == "connection refused (4, bad user name or password): check the credentials")
        #expect(
            MQTTConnectReturnCode.notAuthorized.description
                == "connection refused (5, not authorized): the server does not let this client connect; check its permissions")
    }

    // MARK: What bytes cannot say stops the process, with a message.

    @Test func aQoS1PublishWithoutPacketIdStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MQTTPacket.publish(MQTTPublish(topic: "t", payload: [], qos: .atLeastOnce)).bytes
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("MQTTWire: a QoS 1 PUBLISH needs a packet identifier, but packetId is nil (MQTT 3.1.1 §2.3.1)"))
    }

    @Test func aQoS0PublishWithPacketIdStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MQTTPacket.publish(MQTTPublish(topic: "t", payload: [], packetId: 1)).bytes
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("MQTTWire: a QoS 0 PUBLISH has no packet identifier, but packetId is set (MQTT 3.1.1 §2.3.1)"))
    }

    @Test func aTopicOver65535BytesStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var bytes: [UInt8] = []
            MQTTPacket.publish(MQTTPublish(topic: String(repeating: "é", count: 32_768), payload: [])).write(to: &bytes)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("MQTTWire: the topic name is 65536 bytes of UTF-8, over the 65535 an MQTT string can hold (MQTT 3.1.1 §1.5.3)"))
    }

    @Test func aPasswordOver65535BytesStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MQTTPacket.connect(MQTTConnect(clientId: "c", cleanSession: true, keepAliveSeconds: 0, username: "u", password: Array(repeating: 0, count: 65_536))).bytes
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("MQTTWire: the password is 65536 bytes, over the 65535 an MQTT binary field can hold (MQTT 3.1.1 §3.1.3)"))
    }

    /// The largest strings that fit are written and read back.
    @Test func aTopicOf65535BytesFits() throws {
        let publish = MQTTPacket.publish(MQTTPublish(topic: String(repeating: "t", count: 65_535), payload: [1]))
        let bytes = publish.bytes
        #expect(bytes.count == 1 + 3 + 2 + 65_535 + 1)
        #expect(try MQTTPacketReader.read(bytes)?.packet == publish)
    }
}
