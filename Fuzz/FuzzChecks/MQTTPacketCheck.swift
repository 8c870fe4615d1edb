import MQTTWire

/// The `fuzz-mqtt-packet` target's check of one input: any bytes, as what a broker sends a
/// client, read packet after packet as the client's decoder reads its stream until the
/// bytes run out, end inside a packet or are refused. Any `MQTTWireError` is a fine answer;
/// a crash is not. Every packet read must write back to exactly the bytes it was read from
/// (the reader takes only the shortest remaining length, so a packet has one form), and
/// those must read again as the same packet. A refusal must be one of whole packets: a
/// shorter prefix of the bytes is refused alike or asks for more.
public enum MQTTPacketCheck {
    public enum Outcome: Sendable, Equatable {
        /// All `packets` read; `incompleteTail` when bytes after them start a packet they do
        /// not finish.
        case read(packets: Int, incompleteTail: Bool)
        /// `packets` read, then the `MQTTWireError`'s message for the bytes after them.
        case refused(packets: Int, String)
    }

    /// Small enough that inputs of a few KB reach it, so the limit's path is fuzzed too.
    static let maxPacketBytes = 2048

    @discardableResult
    public static func run(_ input: [UInt8]) -> Outcome {
        var offset = 0
        var packets = 0
        while offset < input.count {
            // Through the raw-buffer entry on a slice, as a client reads its receive buffer.
            let result = input.withUnsafeBytes { buffer in
                Result { () throws(MQTTWireError) in
                    try MQTTPacketReader.read(UnsafeRawBufferPointer(rebasing: buffer[offset...]), maxPacketBytes: maxPacketBytes)
                }
            }
            let left = input.count - offset
            let read: (packet: MQTTPacket, consumed: Int)?
            switch result {
            case let .success(success):
                read = success
            case let .failure(error):
                checkPrefixes(of: Array(input[offset...]), refusedWith: error)
                return .refused(packets: packets, error.description)
            }
            guard let (packet, consumed) = read else {
                invariant(left < maxPacketBytes, "the reader wants more than \(left) bytes of a packet, the limit is \(maxPacketBytes): \(hex(Array(input[offset...])))")
                return .read(packets: packets, incompleteTail: true)
            }
            invariant(consumed >= 2 && consumed <= left, "the reader took \(consumed) of \(left) bytes: \(hex(Array(input[offset...])))")
            check(packet, readFrom: Array(input[offset..<offset + consumed]))
            offset += consumed
            packets += 1
        }
        return .read(packets: packets, incompleteTail: false)
    }

    /// `packet`, read from `bytes`, writes back to `bytes` and reads again as itself; it is
    /// refused at one byte under its size, and every prefix but a few long ones asks for more.
    static func check(_ packet: MQTTPacket, readFrom bytes: [UInt8]) {
        let written = packet.bytes
        invariant(written == bytes, "\(packet) was read from \(hex(bytes)) but writes \(hex(written))")
        var appended: [UInt8] = [0xAA]
        packet.write(to: &appended)
        invariant(appended.dropFirst().elementsEqual(written), "write(to:) appends \(hex(Array(appended.dropFirst()))), bytes is \(hex(written))")
        do {
            let again = try MQTTPacketReader.read(written)
            invariant(again?.packet == packet && again?.consumed == written.count, "\(hex(written)) reads again as \(String(describing: again)), expected \(packet)")
            _ = try MQTTPacketReader.read(written, maxPacketBytes: written.count - 1)
            violation("\(hex(written)) reads with a limit of \(written.count - 1) bytes")
        } catch MQTTWireError.packetTooLarge(written.count, written.count - 1) {
        } catch {
            violation("\(hex(written)), read from the same bytes as \(packet), is refused: \(error)")
        }
        // A prefix is a packet still arriving: all of the short ones and the longest.
        for length in Set(Array(0..<min(written.count, 8)) + [written.count - 1]) {
            do {
                let read = try MQTTPacketReader.read(Array(written.prefix(length)))
                invariant(read == nil, "\(length) bytes of \(hex(written)) read as \(String(describing: read))")
            } catch {
                violation("\(length) bytes of \(hex(written)) are refused: \(error)")
            }
        }
        checkTopics(packet)
    }

    /// The topics a packet was read with pass `MQTTTopic`'s checks; a name matches itself
    /// and `#`, unless it starts with `$`.
    static func checkTopics(_ packet: MQTTPacket) {
        var names: [String] = []
        var filters: [String] = []
        switch packet {
        case let .publish(publish): names = [publish.topic]
        case let .connect(connect): names = connect.will.map { [$0.topic] } ?? []
        case let .subscribe(_, subscriptions): filters = subscriptions.map(\.filter)
        case let .unsubscribe(_, unsubscribed): filters = unsubscribed
        default: break
        }
        for name in names {
            do {
                try MQTTTopic.validateName(name)
            } catch {
                violation("the topic name \"\(name)\" of \(packet) is refused: \(error)")
            }
            invariant(MQTTTopic.matches(filter: name, topic: name), "the topic name \"\(name)\" does not match itself")
            invariant(MQTTTopic.matches(filter: "#", topic: name) == !name.hasPrefix("$"), "the filter # and the topic name \"\(name)\" disagree with §4.7.2")
        }
        for filter in filters {
            do {
                try MQTTTopic.validateFilter(filter)
            } catch {
                violation("the topic filter \"\(filter)\" of \(packet) is refused: \(error)")
            }
        }
    }

    /// Whatever `bytes` are refused for is decided from whole fields: a prefix is refused
    /// with the same error or asks for more, never read as a packet or refused otherwise.
    static func checkPrefixes(of bytes: [UInt8], refusedWith error: MQTTWireError) {
        for length in Set(Array(0..<min(bytes.count, 8)) + [bytes.count - 1, bytes.count / 2]) where length < bytes.count {
            do {
                let read = try MQTTPacketReader.read(Array(bytes.prefix(length)), maxPacketBytes: maxPacketBytes)
                invariant(read == nil, "\(length) bytes of \(hex(bytes)) read as \(String(describing: read)), all of them are refused: \(error)")
            } catch let early {
                invariant(early == error, "\(length) bytes of \(hex(bytes)) are refused with \(early), all of them with \(error)")
            }
        }
    }

    /// Bytes for a violation message, as hex.
    static func hex(_ bytes: [UInt8], limit: Int = 200) -> String {
        let digits = bytes.prefix(limit).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
        return bytes.count > limit ? "\(digits)... (\(bytes.count) bytes)" : digits
    }
}
