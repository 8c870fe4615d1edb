import AWSClient
import KinesisClient
import Pipeline
import StreamReading

/// `serve --source URL`: the Kinesis stream at URL, read with the credentials and region
/// of the standard AWS variables, its consumers' positions kept under DATA/checkpoints.
enum RemoteSource {
    static func open(endpoint: String, stream: String, layout: DataLayout) throws -> (source: any StreamSource, checkpoints: any CheckpointStore) {
        let configuration: AWSConfiguration
        do {
            let environment = try AWSConfiguration(environment: AWSConfiguration.processEnvironment())
            configuration = try AWSConfiguration(credentials: environment.credentials, region: environment.region, endpoint: endpoint)
        } catch {
            throw UserError("--source \(endpoint): \(error.message)")
        }
        let client = KinesisClient(configuration: configuration, streamName: stream)
        // A wrong URL, stream or key stops the start here, with the source's own words.
        let shards: [SourceShard]
        do {
            shards = try client.listShards()
        } catch {
            throw UserError("--source \(endpoint): cannot list the shards of stream '\(stream)': \(error.message)")
        }
        print("source \(client.sourceName): \(shards.count) shard(s)")
        let checkpoints = try FileCheckpointStore(directory: layout.checkpointsDirectory, sourceName: client.sourceName)
        return (client, checkpoints)
    }
}
