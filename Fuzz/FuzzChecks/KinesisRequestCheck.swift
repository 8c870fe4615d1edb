import KinesisAPI
import KinesisStream
import KinesisWire
import RaceModel

/// The `fuzz-kinesis-request` target's check of one input: the first byte picks the
/// action (`Action.allCases[(byte - 48) mod count]`, so "0", "1", "2"... are the first
/// actions and seeds read as text), the rest is the request body. Any
/// `KinesisAPIError` is a fine answer; a crash is not, and every answer's body
/// (success or refusal) must be one valid JSON document.
///
/// The API is over a 2-shard stream on a virtual clock that never moves, holding one
/// record in each shard. Actions that change the stream (puts, tags, retention) get a
/// fresh stream each; the other actions only read, so they share one (a stream maps a 6 MiB record arena: one per
/// input would cost most of the run). Either way an input replays the same alone or in
/// any order, and a crash input is a reproducer by itself.
public enum KinesisRequestCheck {
    public enum Outcome: Sendable, Equatable {
        /// No byte to pick an action with.
        case empty
        case answered(KinesisAPI.Action)
        /// Refused with this `__type` (`SerializationException`, `ValidationException`...).
        case refused(KinesisAPI.Action, String)
    }

    /// The fixed clock reading and iterator key, so that `scripts/fuzz-seed.py` can
    /// write GetRecords seeds with iterators this API accepts.
    public static let clockMillis: Int64 = 1_764_380_851_000
    public static let createdMillis: Int64 = 1_764_380_000_000
    public static let iteratorKey: UInt64 = 42

    /// Actions that change the stream, its shards or its settings get a fresh one, so every input replays alike.
    static func changesTheStream(_ action: KinesisAPI.Action) -> Bool {
        switch action {
        case .putRecord, .putRecords, .addTagsToStream, .removeTagsFromStream, .tagResource, .untagResource,
             .increaseStreamRetentionPeriod, .decreaseStreamRetentionPeriod, .splitShard, .mergeShards, .updateShardCount,
             .registerStreamConsumer, .deregisterStreamConsumer,
             .createStream, .deleteStream, .updateStreamMode:
            true
        default:
            false
        }
    }

    @discardableResult
    public static func run(_ input: [UInt8]) -> Outcome {
        guard let first = input.first else { return .empty }
        let actions = KinesisAPI.Action.allCases
        let action = actions[((Int(first) - 48) % actions.count + actions.count) % actions.count]
        let body = Array(input.dropFirst())

        let api = changesTheStream(action) ? makeAPI() : readOnlyAPI
        do {
            let answer = try api.handle(action, body: body)
            checkJSON(answer, "the \(action.rawValue) answer")
            return .answered(action)
        } catch {
            checkJSON(error.body, "the \(action.rawValue) refusal")
            return .refused(action, error.typeName)
        }
    }

    /// Shared by the actions that do not write; nothing writes to its stream after `makeAPI`.
    static let readOnlyAPI = makeAPI()

    /// The API over a fresh stream holding one record in each shard, and the streams
    /// CreateStream makes beside it (scratch ones on the same clock).
    static func makeAPI() -> KinesisStreams {
        let clock = VirtualClock(startMillis: clockMillis)
        let stream = KinesisStream(shardCount: 2, clock: clock)
        let entries = [
            PutRecordsRequestEntry(data: Array(#"{"racerId":1}"#.utf8), partitionKey: "racer-1", explicitHashKey: "0"),
            PutRecordsRequestEntry(data: [0x00, 0xFF, 0x0A], partitionKey: "racer-2", explicitHashKey: String(UInt128.max)),
        ]
        do {
            let response = try stream.putRecords(entries)
            invariant(response.failedPutCount == 0, "the fixture's records were refused: \(response)")
        } catch {
            violation("the fixture's records were refused: \(error)")
        }
        // Without a tags file or a streams folder nothing can fail.
        let api = try! KinesisAPI(stream: stream, createdMillis: createdMillis, iteratorKey: iteratorKey)
        return try! KinesisStreams(primary: api, directory: nil) { name, shards, _ in KinesisStream(name: name, shardCount: shards, clock: clock) }
    }

    private static func checkJSON(_ body: [UInt8], _ what: @autoclosure () -> String) {
        var reader = JSONReader(body)
        do {
            try reader.skipValue()
            try reader.finish()
        } catch {
            violation("\(what()) is not valid JSON (\(error)): \(excerpt(body))")
        }
    }
}
