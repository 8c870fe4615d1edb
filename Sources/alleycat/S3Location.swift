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
        let (bucket, prefix) = try parse(url, option: "--history")
        let s3: S3Client
        do {
            s3 = S3Client(configuration: try AWSConfiguration(environment: AWSConfiguration.processEnvironment(), service: .s3))
        } catch {
            throw UserError("--history \(url): \(error.message)")
        }
        do {
            _ = try s3.listKeys(bucket, prefix: prefix)
        } catch {
            throw UserError("--history \(url): \(error.message)")
        }
        print("history also in s3://\(bucket)/\(prefix) at \(s3.endpoint)")
        return S3HistoryMirror(files: S3HistoryFiles(s3: s3, bucket: bucket, prefix: prefix), log: { print($0) })
    }
}
