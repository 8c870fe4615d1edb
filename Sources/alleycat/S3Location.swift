import AWSClient
import S3Storage

/// `s3://BUCKET/PREFIX` as the options take it.
enum S3Location {
    static func parse(_ url: String, option: String) throws -> (bucket: String, prefix: String) {
        guard url.hasPrefix("s3://") else { throw UserError("\(option) is '\(url)', not an s3://BUCKET/PREFIX location") }
        let rest = url.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        var prefix = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
        guard !bucket.isEmpty else { throw UserError("\(option) is '\(url)', which names no bucket: write it like s3://alleycat-history/all-time/") }
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        return (bucket, prefix)
    }

    /// The history mirror of `--history`, checked at start: the bucket must answer.
    static func mirror(_ url: String) throws -> S3HistoryMirror {
        let (s3, bucket, prefix) = try checked(url, option: "--history")
        print("history also in s3://\(bucket)/\(prefix) at \(s3.endpoint)")
        return S3HistoryMirror(files: S3HistoryFiles(s3: s3, bucket: bucket, prefix: prefix), log: { print($0) })
    }

    /// Where `--delivery` puts every delivered object, checked at start: the bucket must answer.
    static func delivery(_ url: String) throws -> S3DeliveryReplica {
        let (s3, bucket, prefix) = try checked(url, option: "--delivery")
        print("delivered objects also in s3://\(bucket)/\(prefix) at \(s3.endpoint)")
        return S3DeliveryReplica(s3: s3, bucket: bucket, prefix: prefix)
    }

    /// A client of S3 as the AWS variables say, and the location, once a listing of it answered.
    private static func checked(_ url: String, option: String) throws -> (s3: S3Client, bucket: String, prefix: String) {
        let (bucket, prefix) = try parse(url, option: option)
        let s3: S3Client
        do {
            s3 = S3Client(configuration: try AWSConfiguration(environment: AWSConfiguration.processEnvironment(), service: .s3))
        } catch {
            throw UserError("\(option) \(url): \(error.message)")
        }
        do {
            _ = try s3.listKeys(bucket, prefix: prefix)
        } catch {
            throw UserError("\(option) \(url): \(error.message)")
        }
        return (s3, bucket, prefix)
    }
}
