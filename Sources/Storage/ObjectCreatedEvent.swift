/// Raised by a bucket after an object has been written whole (the S3 `ObjectCreated` notification).
public struct ObjectCreatedEvent: Sendable, Equatable, Hashable {
    public let bucket: String
    public let key: String
    /// Bytes written.
    public let size: Int

    public init(bucket: String, key: String, size: Int) {
        self.bucket = bucket
        self.key = key
        self.size = size
    }
}
