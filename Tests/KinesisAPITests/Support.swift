import KinesisAPI
import KinesisStream
import KinesisWire
import RaceModel

/// A two-shard stream on a virtual clock behind the API, and helpers to call it with JSON text.
struct APIFixture {
    let clock = VirtualClock(startMillis: 1_764_380_851_000)
    let stream: KinesisStream
    let api: KinesisAPI
    /// Every stream: `api`'s, and those CreateStream makes (scratch streams on the same clock).
    let streams: KinesisStreams

    init(shards: Int = 2, limits: ShardLimits = .kinesis, tagsPath: String? = nil) {
        stream = KinesisStream(shardCount: shards, limits: limits, clock: clock)
        // Without a tags file (or with a new one) nothing can fail.
        api = try! KinesisAPI(stream: stream, createdMillis: 1_764_380_000_000, iteratorKey: 42, tagsPath: tagsPath)
        let clock = clock
        streams = try! KinesisStreams(primary: api, directory: nil) { name, shards, _ in KinesisStream(name: name, shardCount: shards, clock: clock) }
    }

    /// The answer as text, or the error.
    func call(_ action: KinesisAPI.Action, _ json: String) -> Result<String, KinesisAPIError> {
        do throws(KinesisAPIError) {
            return .success(String(decoding: try streams.handle(action, body: Array(json.utf8)), as: UTF8.self))
        } catch {
            return .failure(error)
        }
    }

    func ok(_ action: KinesisAPI.Action, _ json: String) -> String {
        (try? call(action, json).get()) ?? "refused: \(call(action, json))"
    }

    func refusal(_ action: KinesisAPI.Action, _ json: String) -> KinesisAPIError? {
        if case let .failure(error) = call(action, json) { return error }
        return nil
    }
}

func base64(_ text: String) -> String { Base64.encode(Array(text.utf8)) }
