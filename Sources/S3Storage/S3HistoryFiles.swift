import AWSClient
import HistoryFile
import Storage

/// The history files (contract 4: `class-N.gz`) in an S3 bucket, written by any number of
/// workers without one ever replacing a file with less: each merge reads the file with its
/// entity tag, folds into it, and writes it back only if nobody wrote it meanwhile
/// (`If-Match`, or `If-None-Match: *` for a first file). A write that loses the race reads
/// the newer file and folds again, which changes nothing already there: the folds are
/// maxima, idempotent and order-independent.
public final class S3HistoryFiles: Sendable {
    public let s3: S3Client
    public let bucket: String
    /// Keys are `PREFIX` + `class-N.gz`; "" or ending in `/`.
    public let prefix: String
    public let gzipLevel: Int32
    /// Writers racing on one file more than this many times in a row give up, saying so.
    public let maximumAttempts: Int

    public init(s3: S3Client, bucket: String, prefix: String = "", gzipLevel: Int32 = 6, maximumAttempts: Int = 20) {
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
        self.gzipLevel = gzipLevel
        self.maximumAttempts = maximumAttempts
    }

    public func key(classId: Int) -> String { prefix + "class-\(classId).gz" }

    /// The class's table as the bucket has it now (empty when there is no file yet).
    public func table(classId: Int) throws(S3HistoryError) -> HistoryTable {
        try read(classId: classId).table
    }

    /// Folds into the class's file and writes it; returns how many writes it took (1 when
    /// no other writer raced it). `fold` may run more than once: it must only fold.
    @discardableResult
    public func merge(classId: Int, _ fold: (inout HistoryTable) -> Void) throws(S3HistoryError) -> Int {
        for attempt in 1...maximumAttempts {
            var (table, etag) = try read(classId: classId)
            fold(&table)
            let file = table.file(level: gzipLevel, previous: nil)
            let written: String?
            do {
                written = try s3.putObject(
                    bucket, key: key(classId: classId), bytes: file, contentType: "application/gzip",
                    condition: etag.map { .unchanged(etag: $0) } ?? .absent)
            } catch {
                throw .call(error)
            }
            if written != nil { return attempt }
        }
        throw .contended("s3://\(bucket)/\(key(classId: classId)) changed under every one of \(maximumAttempts) merges in a row; too many writers of one class at once")
    }

    private func read(classId: Int) throws(S3HistoryError) -> (table: HistoryTable, etag: String?) {
        let object: S3Object?
        do {
            object = try s3.getObject(bucket, key: key(classId: classId))
        } catch {
            throw .call(error)
        }
        guard let object else { return (HistoryTable(), nil) }
        do {
            return (try HistoryTable.decode(try Gzip.decompress(object.bytes)), object.etag)
        } catch {
            throw .damaged("s3://\(bucket)/\(key(classId: classId)) is not a history file (\(error)); move it aside and run alleycat rebuild")
        }
    }
}

public enum S3HistoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case call(AWSCallError)
    case damaged(String)
    case contended(String)

    public var description: String {
        switch self {
        case let .call(error): error.message
        case let .damaged(text), let .contended(text): text
        }
    }
}
