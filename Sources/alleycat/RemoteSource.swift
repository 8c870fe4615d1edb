import AWSClient
import KinesisClient
import Leases
import Pipeline
import StreamReading

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// `serve --source URL`: the Kinesis stream at URL, read with the credentials and region
/// of the standard AWS variables, its consumers' positions kept under DATA/checkpoints.
/// `worker --stream NAME`: the same, at the endpoint those variables name
/// (`AWS_ENDPOINT_URL_KINESIS`, else `AWS_ENDPOINT_URL`, else Kinesis in the region).
/// With `--lease-table`, the firehose shares the stream's shards with other workers
/// through leases in that DynamoDB table (`AWS_ENDPOINT_URL_DYNAMODB`, else
/// `AWS_ENDPOINT_URL`, else DynamoDB in the region), which also keep its positions.
enum RemoteSource {
    /// `endpoint` nil: the one the AWS variables name.
    static func open(
        endpoint: String?, stream: String, layout: DataLayout, leaseTable: String? = nil, workerId: String? = nil
    ) throws -> (source: any StreamSource, checkpoints: any CheckpointStore, leases: (any CheckpointStore & ShardAssignment)?) {
        let environment = AWSConfiguration.processEnvironment()
        let option = endpoint.map { "--source \($0)" } ?? "--stream \(stream)"
        let configuration: AWSConfiguration
        do {
            let fromEnvironment = try AWSConfiguration(environment: environment)
            if let endpoint {
                configuration = try AWSConfiguration(credentials: fromEnvironment.credentials, region: fromEnvironment.region, endpoint: endpoint)
            } else {
                configuration = fromEnvironment
            }
        } catch {
            throw UserError("\(option): \(error.message)")
        }
        let client = KinesisClient(configuration: configuration, streamName: stream)
        // A wrong URL, stream or key stops the start here, with the source's own words.
        let shards: [SourceShard]
        do {
            shards = try client.listShards()
        } catch {
            throw UserError("\(option): cannot list the shards of stream '\(stream)' at \(configuration.endpoint): \(error.message)")
        }
        print("source \(client.sourceName): \(shards.count) shard(s)")
        let checkpoints = try FileCheckpointStore(directory: layout.checkpointsDirectory, sourceName: client.sourceName)
        guard let leaseTable else { return (client, checkpoints, nil) }

        let worker = workerId ?? defaultWorkerId()
        let dynamo: DynamoDBClient
        do {
            dynamo = DynamoDBClient(configuration: try AWSConfiguration(environment: environment, service: .dynamodb))
        } catch {
            throw UserError("--lease-table \(leaseTable): \(error.message)")
        }
        let table = LeaseTable(name: leaseTable, dynamo: dynamo)
        let leases = LeasedCheckpoints(worker: worker, table: table, shardLister: { () throws(SourceError) in try client.listShards() })
        do {
            try table.createIfMissing(sleep: { usleep(UInt32($0) * 1000) })
            let created = try leases.syncShards(shards)
            print("leases in \(leaseTable) at \(dynamo.endpoint): worker \(worker), \(created.count) lease(s) created")
        } catch {
            throw UserError("--lease-table \(leaseTable): \(error.message)")
        }
        return (client, checkpoints, leases)
    }

    /// `HOST-PID`: unique among the workers of one machine, and says where each runs.
    static func defaultWorkerId() -> String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(host.isEmpty ? "worker" : host)-\(getpid())"
    }
}
