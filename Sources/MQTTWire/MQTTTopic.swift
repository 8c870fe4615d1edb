/// Topic names, topic filters and how they match (MQTT 3.1.1 §4.7). Levels are separated by
/// `/`; a filter's `+` stands for one whole level, its `#` for any number of levels at its
/// end, the parent level included (`sport/#` matches `sport`).
public enum MQTTTopic {
    /// Whether messages on `topic` (a topic name) go to a subscription to `filter`, which
    /// `validateFilter` should have accepted: other filters match as their characters say.
    /// A filter that starts with a wildcard does not match a topic that starts with `$`
    /// (§4.7.2): `#` does not take `$SYS/uptime`, `$SYS/#` does.
    public static func matches(filter: String, topic: String) -> Bool {
        let filter = filter.utf8
        let topic = topic.utf8
        if topic.first == dollar, let first = filter.first, first == plus || first == hash { return false }
        var filterLevel: String.UTF8View.Index? = filter.startIndex
        var topicLevel: String.UTF8View.Index? = topic.startIndex
        while let filterStart = filterLevel {
            let filterEnd = filter[filterStart...].firstIndex(of: slash) ?? filter.endIndex
            let level = filter[filterStart..<filterEnd]
            if level.count == 1, level.first == hash { return true }
            guard let topicStart = topicLevel else { return false }
            let topicEnd = topic[topicStart...].firstIndex(of: slash) ?? topic.endIndex
            if !(level.count == 1 && level.first == plus), !level.elementsEqual(topic[topicStart..<topicEnd]) { return false }
            filterLevel = filterEnd == filter.endIndex ? nil : filter.index(after: filterEnd)
            topicLevel = topicEnd == topic.endIndex ? nil : topic.index(after: topicEnd)
        }
        return topicLevel == nil
    }

    /// Refuses what cannot be the topic name of a PUBLISH: an empty name, one over 65,535
    /// bytes of UTF-8, one with U+0000 or a wildcard (§3.3.2.1, §4.7.3). Check a name with
    /// it before publishing: the encoder writes what it is given.
    public static func validateName(_ name: String) throws(MQTTWireError) {
        try checkName(name, in: nil, .topicName)
    }

    /// Refuses what cannot be a topic filter: an empty filter, one over 65,535 bytes of UTF-8,
    /// one with U+0000, a `#` that is not a whole last level, a `+` that is not a whole level
    /// (§4.7.1, §4.7.3).
    public static func validateFilter(_ filter: String) throws(MQTTWireError) {
        try checkFilter(filter, in: nil, .topicFilter(nil))
    }

    static func checkName(_ name: String, in packet: MQTTPacketType?, _ field: MQTTWireError.Field) throws(MQTTWireError) {
        let utf8 = name.utf8
        guard !utf8.isEmpty else { throw .emptyTopic(packet, field) }
        guard utf8.count <= 65_535 else { throw .stringTooLong(packet, field, byteCount: utf8.count) }
        for byte in utf8 {
            switch byte {
            case 0: throw .nullCharacter(packet, field)
            case plus: throw .wildcardInTopicName(packet, field, wildcard: "+")
            case hash: throw .wildcardInTopicName(packet, field, wildcard: "#")
            default: continue
            }
        }
    }

    static func checkFilter(_ filter: String, in packet: MQTTPacketType?, _ field: MQTTWireError.Field) throws(MQTTWireError) {
        let utf8 = filter.utf8
        guard !utf8.isEmpty else { throw .emptyTopic(packet, field) }
        guard utf8.count <= 65_535 else { throw .stringTooLong(packet, field, byteCount: utf8.count) }
        var previous: UInt8? = nil
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            let nextIndex = utf8.index(after: index)
            let next = nextIndex == utf8.endIndex ? nil : utf8[nextIndex]
            switch byte {
            case 0:
                throw .nullCharacter(packet, field)
            case plus, hash:
                let wildcard: Character = byte == plus ? "+" : "#"
                guard previous == nil || previous == slash, next == nil || next == slash else {
                    throw .wildcardNotAlone(packet, field, wildcard: wildcard)
                }
                if byte == hash, next != nil { throw .hashNotLast(packet, field) }
            default:
                break
            }
            previous = byte
            index = nextIndex
        }
    }
}

private let slash = UInt8(ascii: "/")
private let plus = UInt8(ascii: "+")
private let hash = UInt8(ascii: "#")
private let dollar = UInt8(ascii: "$")
