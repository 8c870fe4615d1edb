import Pipeline
import StreamReading

/// `serve --source`: see KinesisClient (wired once the client lands).
enum RemoteSource {
    static func open(endpoint: String, stream: String, layout: DataLayout) throws -> (source: any StreamSource, checkpoints: any CheckpointStore) {
        throw UserError("--source is not wired yet")
    }
}
