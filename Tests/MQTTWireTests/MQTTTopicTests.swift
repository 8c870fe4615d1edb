import MQTTWire
import Testing

/// Topic matching and the checks of names and filters (MQTT 3.1.1 §4.7), with the
/// standard's own examples.
@Suite struct MQTTTopicTests {
    static let matching: [(String, String, Bool)] = [
        // '#' (§4.7.1.2): this level and every one below, the parent included.
        ("sport/tennis/player1/#", "sport/tennis/player1", true),
        ("sport/tennis/player1/#", "sport/tennis/player1/ranking", true),
        ("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true),
        ("sport/tennis/#", "sport/tennis", true),
        ("sport/tennis/#", "sport/tennisplayer1", false),
        ("sport/tennis/#", "sport", false),
        ("sport/#", "sport", true),
        ("sport/#", "sport/", true),
        ("#", "sport/tennis/player1", true),
        ("#", "/", true),
        // '+' (§4.7.1.3): exactly one level, an empty one too.
        ("sport/tennis/+", "sport/tennis/player1", true),
        ("sport/tennis/+", "sport/tennis/player1/ranking", false),
        ("sport/tennis/+", "sport/tennis", false),
        ("sport/+", "sport", false),
        ("sport/+", "sport/", true),
        ("+/+", "/finance", true),
        ("/+", "/finance", true),
        ("+", "/finance", false),
        ("+", "sport", true),
        ("sport/+/player1", "sport/tennis/player1", true),
        ("+/tennis/#", "sport/tennis/player1/ranking", true),
        ("+/tennis/#", "sport/golf", false),
        ("a/+/b", "a//b", true),
        // Topics beginning with '$' (§4.7.2): not for a leading wildcard.
        ("#", "$SYS/x", false),
        ("+/x", "$SYS/x", false),
        ("+", "$SYS", false),
        ("+/monitor/Clients", "$SYS/monitor/Clients", false),
        ("$SYS/#", "$SYS/x", true),
        ("$SYS/+", "$SYS/x", true),
        ("$SYS/monitor/+", "$SYS/monitor/Clients", true),
        ("x/#", "x/$SYS", true),
        // Without wildcards: the same characters (§4.7.3: case sensitive, spaces count).
        ("sport/tennis", "sport/tennis", true),
        ("sport/tennis", "sport/Tennis", false),
        ("sport/tennis", "sport/tennis/", false),
        ("sport/tennis ", "sport/tennis", false),
        ("/", "/", true),
        ("zoë/🚲", "zoë/🚲", true),
    ]

    @Test(arguments: matching)
    func matches(_ filter: String, _ topic: String, _ expected: Bool) {
        #expect(MQTTTopic.matches(filter: filter, topic: topic) == expected, "\(filter) vs \(topic)")
    }

    static func nameRefusal(_ name: String) -> String? {
        do {
            try MQTTTopic.validateName(name)
            return nil
        } catch {
            return error.description
        }
    }

    static func filterRefusal(_ filter: String) -> String? {
        do {
            try MQTTTopic.validateFilter(filter)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: ["a", "/", "sport/tennis", "$SYS/x", "zoë/🚲", " ", "a//b", String(repeating: "t", count: 65_535)])
    func takesName(_ name: String) {
        #expect(Self.nameRefusal(name) == nil)
    }

    static let badNames: [(String, String)] = [
        ("", "the topic name is empty (MQTT 3.1.1 §4.7.3)"),
        ("alleycat/+", "the topic name contains the wildcard '+' (MQTT 3.1.1 §3.3.2.1)"),
        ("#", "the topic name contains the wildcard '#' (MQTT 3.1.1 §3.3.2.1)"),
        ("a\u{0}b", "the topic name contains U+0000 (MQTT 3.1.1 §1.5.3)"),
        (String(repeating: "é", count: 32_768), "the topic name is 65536 bytes of UTF-8, over the 65535 an MQTT string can hold (MQTT 3.1.1 §1.5.3)"),
    ]

    @Test(arguments: badNames)
    func refusesName(_ name: String, _ message: String) {
        #expect(Self.nameRefusal(name) == message)
    }

    @Test(arguments: ["#", "+", "+/+", "/+", "sport/#", "sport/+/player1", "+/tennis/#", "$SYS/#", "a//b", "/", "a", "+/#", "zoë/+"])
    func takesFilter(_ filter: String) {
        #expect(Self.filterRefusal(filter) == nil)
    }

    static let badFilters: [(String, String)] = [
        ("", "the topic filter is empty (MQTT 3.1.1 §4.7.3)"),
        ("sport/tennis#", "the topic filter has '#' sharing a level with other characters (MQTT 3.1.1 §4.7.1.2)"),
        ("#sport", "the topic filter has '#' sharing a level with other characters (MQTT 3.1.1 §4.7.1.2)"),
        ("##", "the topic filter has '#' sharing a level with other characters (MQTT 3.1.1 §4.7.1.2)"),
        ("sport/tennis/#/ranking", "the topic filter has '#' before its last level (MQTT 3.1.1 §4.7.1.2)"),
        ("#/", "the topic filter has '#' before its last level (MQTT 3.1.1 §4.7.1.2)"),
        ("sport+", "the topic filter has '+' sharing a level with other characters (MQTT 3.1.1 §4.7.1.3)"),
        ("sport/+x/y", "the topic filter has '+' sharing a level with other characters (MQTT 3.1.1 §4.7.1.3)"),
        ("++", "the topic filter has '+' sharing a level with other characters (MQTT 3.1.1 §4.7.1.3)"),
        ("a/\u{0}", "the topic filter contains U+0000 (MQTT 3.1.1 §1.5.3)"),
        (String(repeating: "a", count: 65_536), "the topic filter is 65536 bytes of UTF-8, over the 65535 an MQTT string can hold (MQTT 3.1.1 §1.5.3)"),
    ]

    @Test(arguments: badFilters)
    func refusesFilter(_ filter: String, _ message: String) {
        #expect(Self.filterRefusal(filter) == message)
    }

    /// A valid name is a filter that matches only itself.
    @Test func aNameMatchesItself() {
        for name in ["a", "/", "sport/tennis", "$SYS/x", "a//b"] {
            #expect(Self.filterRefusal(name) == nil)
            #expect(MQTTTopic.matches(filter: name, topic: name))
        }
    }
}
