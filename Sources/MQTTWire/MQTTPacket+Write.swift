/// Writing packets: the bytes `MQTTPacketReader` reads back as the same packet, the
/// remaining length in its shortest form. What the standard forbids but bytes can say (a
/// wildcard in a topic name, a packet identifier of 0, an empty SUBSCRIBE) is written as
/// given; `MQTTTopic.validateName` and `validateFilter` check topics beforehand. What bytes
/// cannot say stops the process with a message naming the field (`fatalError`, whose
/// message a release build keeps): a string or binary field over 65,535 bytes, a packet
/// over 268,435,455 bytes of remaining length, a PUBLISH whose `packetId` is there at QoS 0
/// or missing above it.
extension MQTTPacket {
    /// Appends the packet's bytes (fixed header, remaining length, variable header, payload).
    public func write(to bytes: inout [UInt8]) {
        write(to: &bytes, remainingLength: remainingLength)
    }

    /// The packet's bytes, in a buffer of exactly their size.
    public var bytes: [UInt8] {
        let length = remainingLength
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 + RemainingLength.byteCount(length) + length)
        write(to: &bytes, remainingLength: length)
        return bytes
    }

    /// The first byte: the type and its flags (§2.2).
    private var firstByte: UInt8 {
        var flags = type.requiredFlags
        if case let .publish(publish) = self {
            flags = (publish.duplicate ? 0b1000 : 0) | publish.qos.rawValue << 1 | (publish.retain ? 1 : 0)
        }
        return type.rawValue << 4 | flags
    }

    /// The bytes of variable header and payload, once each field is checked to fit.
    private var remainingLength: Int {
        let length: Int
        switch self {
        case let .connect(connect):
            // "MQTT", level, flags, keep alive.
            var total = 6 + 1 + 1 + 2 + stringSize(connect.clientId, "the client identifier")
            if let will = connect.will {
                total += stringSize(will.topic, "the will topic") + binarySize(will.payload, "the will message")
            }
            if let username = connect.username { total += stringSize(username, "the user name") }
            if let password = connect.password { total += binarySize(password, "the password") }
            length = total
        case let .publish(publish):
            switch (publish.qos, publish.packetId) {
            case (.atMostOnce, nil), (.atLeastOnce, .some), (.exactlyOnce, .some):
                break
            case (.atMostOnce, .some):
                encodable(false, "MQTTWire: a QoS 0 PUBLISH has no packet identifier, but packetId is set (MQTT 3.1.1 §2.3.1)")
            case (_, nil):
                encodable(false, "MQTTWire: a QoS \(publish.qos.rawValue) PUBLISH needs a packet identifier, but packetId is nil (MQTT 3.1.1 §2.3.1)")
            }
            length = stringSize(publish.topic, "the topic name") + (publish.packetId == nil ? 0 : 2) + publish.payload.count
        case .connack, .puback, .pubrec, .pubrel, .pubcomp, .unsuback:
            length = 2
        case let .subscribe(_, subscriptions):
            length = subscriptions.reduce(2) { $0 + stringSize($1.filter, "a topic filter") + 1 }
        case let .suback(_, returnCodes):
            length = 2 + returnCodes.count
        case let .unsubscribe(_, filters):
            length = filters.reduce(2) { $0 + stringSize($1, "a topic filter") }
        case .pingreq, .pingresp, .disconnect:
            length = 0
        }
        encodable(
            length <= RemainingLength.maximum,
            "MQTTWire: a \(type) of \(length) bytes after its fixed header is over the \(RemainingLength.maximum) the remaining length can say (MQTT 3.1.1 §2.2.3)")
        return length
    }

    private func write(to bytes: inout [UInt8], remainingLength: Int) {
        bytes.append(firstByte)
        RemainingLength.write(remainingLength, to: &bytes)
        switch self {
        case let .connect(connect):
            appendString("MQTT", to: &bytes)
            bytes.append(4)
            var flags: UInt8 = connect.cleanSession ? 0x02 : 0
            if let will = connect.will {
                flags |= 0x04 | will.qos.rawValue << 3 | (will.retain ? 0x20 : 0)
            }
            if connect.password != nil { flags |= 0x40 }
            if connect.username != nil { flags |= 0x80 }
            bytes.append(flags)
            appendUInt16(connect.keepAliveSeconds, to: &bytes)
            appendString(connect.clientId, to: &bytes)
            if let will = connect.will {
                appendString(will.topic, to: &bytes)
                appendBinary(will.payload, to: &bytes)
            }
            if let username = connect.username { appendString(username, to: &bytes) }
            if let password = connect.password { appendBinary(password, to: &bytes) }
        case let .connack(sessionPresent, returnCode):
            bytes.append(sessionPresent ? 1 : 0)
            bytes.append(returnCode.rawValue)
        case let .publish(publish):
            appendString(publish.topic, to: &bytes)
            if let packetId = publish.packetId { appendUInt16(packetId, to: &bytes) }
            bytes.append(contentsOf: publish.payload)
        case let .puback(packetId), let .pubrec(packetId), let .pubrel(packetId), let .pubcomp(packetId), let .unsuback(packetId):
            appendUInt16(packetId, to: &bytes)
        case let .subscribe(packetId, subscriptions):
            appendUInt16(packetId, to: &bytes)
            for subscription in subscriptions {
                appendString(subscription.filter, to: &bytes)
                bytes.append(subscription.qos.rawValue)
            }
        case let .suback(packetId, returnCodes):
            appendUInt16(packetId, to: &bytes)
            bytes.append(contentsOf: returnCodes)
        case let .unsubscribe(packetId, filters):
            appendUInt16(packetId, to: &bytes)
            for filter in filters { appendString(filter, to: &bytes) }
        case .pingreq, .pingresp, .disconnect:
            break
        }
    }
}

/// The size of a UTF-8 string field (§1.5.3) with its length prefix.
private func stringSize(_ string: String, _ field: @autoclosure () -> String) -> Int {
    let count = string.utf8.count
    encodable(count <= 65_535, "MQTTWire: \(field()) is \(count) bytes of UTF-8, over the 65535 an MQTT string can hold (MQTT 3.1.1 §1.5.3)")
    return 2 + count
}

private func binarySize(_ data: [UInt8], _ field: @autoclosure () -> String) -> Int {
    encodable(data.count <= 65_535, "MQTTWire: \(field()) is \(data.count) bytes, over the 65535 an MQTT binary field can hold (MQTT 3.1.1 §3.1.3)")
    return 2 + data.count
}

private func appendUInt16(_ value: UInt16, to bytes: inout [UInt8]) {
    bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    bytes.append(UInt8(truncatingIfNeeded: value))
}

/// A string whose size `stringSize` checked.
private func appendString(_ string: String, to bytes: inout [UInt8]) {
    appendUInt16(UInt16(truncatingIfNeeded: string.utf8.count), to: &bytes)
    bytes.append(contentsOf: string.utf8)
}

private func appendBinary(_ data: [UInt8], to bytes: inout [UInt8]) {
    appendUInt16(UInt16(truncatingIfNeeded: data.count), to: &bytes)
    bytes.append(contentsOf: data)
}

/// Stops the process when a packet cannot be written: `fatalError` rather than
/// `precondition`, whose message a release build drops.
private func encodable(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError(message(), file: file, line: line) }
}
