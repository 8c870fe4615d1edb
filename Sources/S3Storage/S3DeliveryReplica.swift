import AWSClient
import Storage

/// The delivery bucket's objects (contract 3) also in an S3 bucket, under the same keys after
/// `prefix`: `alleycat worker --delivery s3://BUCKET/PREFIX`. Each object is put whole (one
/// PutObject) before the firehose counts it delivered, so a checkpoint never passes an
/// object that is not in S3; a failed put is the firehose's delivery error, retried with the
/// records kept in the stream. Keys are unique per delivery, so no two workers write one key
/// with different bytes, and a put that is redone writes the same object again.
public final class S3DeliveryReplica: BucketReplica {
    public let s3: S3Client
    public let bucket: String
    /// "" or ending in `/`.
    public let prefix: String

    public init(s3: S3Client, bucket: String, prefix: String = "") {
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
    }

    public func put(key: String, bytes: UnsafeRawBufferPointer) throws(FileError) {
        do {
            _ = try s3.putObject(bucket, key: prefix + key, bytes: Array(bytes), contentType: "application/gzip")
        } catch {
            throw FileError(operation: "put object", path: "s3://\(bucket)/\(prefix)\(key)", reason: error.message)
        }
    }
}
