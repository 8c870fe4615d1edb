/// Where a pipeline keeps its outputs, under one data directory.
public struct DataLayout: Sendable {
    public var directory: String

    public init(directory: String = "data") {
        self.directory = directory
    }

    public var deliveryDirectory: String { directory + "/delivery" }
    public var historyDirectory: String { directory + "/history" }
    public var storePath: String { directory + "/alleycat.sqlite" }
    /// The key that seals API keys' SigV4 secrets in the store (`APISecretSeal`).
    public var secretKeyPath: String { directory + "/secret.key" }
    /// Positions of the consumers of a remote stream (`serve --source`).
    public var checkpointsDirectory: String { directory + "/checkpoints" }
    /// The durable stream's segment log.
    public var streamDirectory: String { directory + "/stream" }
    /// Streams made over the API (CreateStream), one folder each.
    public var streamsDirectory: String { directory + "/streams" }
}
