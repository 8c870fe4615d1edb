import StreamReading
import Synchronization

/// Feeds the ranking engine from a source as consumer "ranking", starting where
/// the caller says: the newest records, or (the service) the last race's worth, so a
/// restarted service rebuilds the current race from a durable stream.
public final class RankingConsumer: Sendable {
    public static let consumerName = "ranking"

    public let engine: RankingEngine
    // A pump reads and ingests under this lock, so updates come out in stream order.
    private let reader: Mutex<StreamReader>

    public init(
        source: any StreamSource, checkpoints: any CheckpointStore, engine: RankingEngine, start: StartPosition = .latest,
        now: @escaping @Sendable () -> Int64
    ) throws(SourceError) {
        self.engine = engine
        reader = Mutex(try StreamReader(name: Self.consumerName, source: source, checkpoints: checkpoints, start: start, now: now))
    }

    /// Why the source cannot be read now (nil while it reads; throttling and renewed iterators are routine).
    public var readError: String? {
        reader.withLock { reader in
            switch reader.lastError {
            case nil, .throttled?, .expiredIterator?: nil
            case let error?: error.message
            }
        }
    }

    /// Reads everything available and ingests it as one batch.
    public func pump(nowMillis: Int64) -> [RankingUpdate] {
        reader.withLock { reader in
            var records = reader.poll()
            // A read is capped per shard; keep reading so a whole second is ranked at once.
            while !records.isEmpty {
                let more = reader.poll()
                if more.isEmpty { break }
                records.append(contentsOf: more)
            }
            return engine.ingest(records, nowMillis: nowMillis)
        }
    }
}
