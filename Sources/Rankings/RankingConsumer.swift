import KinesisStream
import Synchronization

/// Feeds the ranking engine from the stream as consumer "ranking", starting where
/// the caller says: the newest records, or (the service) the last race's worth, so a
/// restarted service rebuilds the current race from a durable stream.
public final class RankingConsumer: Sendable {
    public static let consumerName = "ranking"

    public let engine: RankingEngine
    // A pump polls and ingests under this lock, so updates come out in stream order.
    private let consumer: Mutex<StreamConsumer>

    public init(stream: KinesisStream, engine: RankingEngine, start: ShardIteratorType = .latest) throws(StreamError) {
        self.engine = engine
        consumer = Mutex(try StreamConsumer(name: Self.consumerName, stream: stream, start: start))
    }

    /// Reads everything available and ingests it as one batch.
    public func pump(nowMillis: Int64) -> [RankingUpdate] {
        consumer.withLock { consumer in
            var records = consumer.poll()
            // GetRecords caps a call per shard; keep reading so a whole second is ranked at once.
            while !records.isEmpty {
                let more = consumer.poll()
                if more.isEmpty { break }
                records.append(contentsOf: more)
            }
            return engine.ingest(records, nowMillis: nowMillis)
        }
    }
}
