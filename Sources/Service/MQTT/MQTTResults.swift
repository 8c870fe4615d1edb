import KinesisWire
import MQTT
import Rankings

/// Live results out over MQTT, as the original published them through AWS IoT Core: every
/// ranking update on `topic` and on `topic/class/N`, QoS 0, in the original's envelope
/// `{"msg":"results","classId","raceId","ts","results"}` (with the race `second`, the
/// class's `total` riders, and how many of them the ranking has heard from at this second
/// beside). A broker that is slow to read gets nothing rather than
/// a backlog: an update is dropped when the connection's write buffer is full, so the
/// ranking engine is never held up.
public struct MQTTResults: Sendable {
    public let client: MQTTClient
    public let topic: String
    /// Riders per class in each message, leaders first.
    public let limit: Int

    public init(client: MQTTClient, topic: String = "alleycat-subscribe", limit: Int = 10) {
        self.client = client
        self.topic = topic
        self.limit = limit
    }

    /// Publishes each update; returns how many messages were dropped (connection down or full).
    @discardableResult
    public func publish(_ updates: [RankingUpdate]) -> Int {
        var dropped = 0
        for update in updates {
            let payload = Self.envelope(update, limit: limit)
            if !client.publishIfWritable(topic: topic, payload: payload) { dropped += 1 }
            if !client.publishIfWritable(topic: "\(topic)/class/\(update.classId)", payload: payload) { dropped += 1 }
        }
        return dropped
    }

    /// `{"msg":"results","classId":C,"raceId":R,"ts":MILLIS,"second":S,"total":N,"reported":K,"results":[…]}`,
    /// each result as /live and /rankings write a Here-now entry; `reported`: riders whose
    /// latest second is this one (a catch-up update for the same second has more).
    public static func envelope(_ update: RankingUpdate, limit: Int) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("msg")
        writer.string("results")
        writer.key("classId")
        writer.integer(update.classId)
        writer.key("raceId")
        writer.integer(update.raceId)
        writer.key("ts")
        writer.integer(update.publishedMillis)
        writer.key("second")
        writer.integer(update.second)
        writer.key("total")
        writer.integer(update.standings.count)
        writer.key("reported")
        writer.integer(update.standings.reduce(0) { $0 + ($1.second == update.second ? 1 : 0) })
        writer.key("results")
        writer.beginArray()
        for entry in update.standings.prefix(limit) {
            writer.beginObject()
            writer.key("rank")
            writer.integer(entry.rank)
            writer.key("racerId")
            writer.integer(entry.racerId)
            writer.key("name")
            writer.string(entry.name)
            writer.key("output")
            writer.double(entry.output)
            writer.key("best")
            writer.double(entry.best)
            writer.key("second")
            writer.integer(entry.second)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}
