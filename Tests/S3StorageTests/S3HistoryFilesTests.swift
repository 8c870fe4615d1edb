import AWSClient
import AlleycatTesting
import HistoryFile
import RaceModel
import Storage
import Synchronization
import Testing

@testable import S3Storage

/// History files in moto's S3, written by two workers at once.
@Suite(.timeLimit(.minutes(3)))
struct S3HistoryFilesTests {
    static func output(_ text: String) -> DecimalNumber {
        let parts = text.split(separator: ".")
        return DecimalNumber(mantissa: Int64(parts.joined())!, scale: Int8(parts.count == 2 ? parts[1].count : 0))
    }

    @Test func aWriterThatLosesTheRaceFoldsAgainAndNothingIsLost() throws {
        let moto = try MotoServer.started()
        defer { moto.stop() }
        let s3 = S3Client(configuration: try moto.configuration(.s3))
        defer { s3.shutdown() }
        try s3.createBucket("history")
        let a = S3HistoryFiles(s3: s3, bucket: "history", prefix: "all-time/")
        let b = S3HistoryFiles(s3: s3, bucket: "history", prefix: "all-time/")

        // The first file is written only if there is none (If-None-Match: *).
        #expect(try a.merge(classId: 1) { $0.fold(racerId: 7, second: 1, output: Self.output("114.24")) } == 1)

        // Worker a reads the file; before it writes, worker b merges into the same file.
        var folds = 0
        let attempts = try a.merge(classId: 1) { table in
            folds += 1
            table.fold(racerId: 7, second: 2, output: Self.output("120.5"))
            table.fold(racerId: 7, second: 1, output: Self.output("100"))  // lower: changes nothing
            if folds == 1 {
                _ = try? b.merge(classId: 1) { other in
                    other.fold(racerId: 9, second: 1, output: Self.output("130"))
                    other.fold(racerId: 7, second: 2, output: Self.output("119"))
                }
            }
        }
        // a's write failed its If-Match, so it read b's file and folded again.
        #expect(attempts == 2)
        #expect(folds == 2)
        let table = try a.table(classId: 1)
        #expect(table.racerIds == [7, 9])
        #expect(table.best(racerId: 7, second: 1) == Self.output("114.24"))
        #expect(table.best(racerId: 7, second: 2) == Self.output("120.5"))
        #expect(table.best(racerId: 9, second: 1) == Self.output("130"))
        // The object is a gzip history file that a frontend reads as it is.
        let object = try #require(try s3.getObject("history", key: "all-time/class-1.gz"))
        #expect(try HistoryTable.decode(Gzip.decompress(object.bytes)) == table)
        #expect(try s3.listKeys("history") == ["all-time/class-1.gz"])
        #expect(try b.table(classId: 2) == HistoryTable())

        // A damaged file is reported, not replaced.
        try s3.putObject("history", key: "all-time/class-3.gz", bytes: Array("not gzip".utf8))
        do {
            try a.merge(classId: 3) { $0.fold(racerId: 1, second: 1, output: Self.output("1")) }
            Issue.record("a damaged file was merged into")
        } catch {
            #expect(error.description.hasPrefix("s3://history/all-time/class-3.gz is not a history file ("))
            #expect(error.description.hasSuffix("); move it aside and run alleycat rebuild"))
        }
        #expect(try s3.getObject("history", key: "all-time/class-3.gz")?.bytes == Array("not gzip".utf8))
    }

    @Test func aMirrorKeepsWhatItCannotWriteAndWritesItLater() throws {
        let moto = try MotoServer.started()
        defer { moto.stop() }
        let s3 = S3Client(configuration: try moto.configuration(.s3))
        defer { s3.shutdown() }
        let lines = Mutex<[String]>([])
        let mirror = S3HistoryMirror(files: S3HistoryFiles(s3: s3, bucket: "later", prefix: "h/"), log: { line in lines.withLock { $0.append(line) } })
        var first = HistoryTable()
        first.fold(racerId: 1, second: 1, output: Self.output("10"))
        var newer = first
        newer.fold(racerId: 2, second: 3, output: Self.output("30.5"))

        // No bucket yet: both classes stay pending, and the failure is logged once.
        mirror.mirror([(classId: 1, table: first), (classId: 2, table: first)])
        mirror.mirror([(classId: 1, table: newer)])
        #expect(mirror.pendingClasses == [1, 2])
        #expect(mirror.lastProblem?.hasPrefix("S3 GetObject of s3://later/h/class-1.gz at \(moto.endpoint) failed with NoSuchBucket: ") == true)
        #expect(lines.withLock { $0.count } == 1)
        #expect(lines.withLock { $0.first?.hasPrefix("history: cannot write class 1 to s3://later/h/: ") } == true)

        try s3.createBucket("later")
        #expect(mirror.flush())
        #expect(mirror.pendingClasses == [])
        #expect(mirror.lastProblem == nil)
        #expect(lines.withLock { $0.last } == "history: writing to s3://later/h/ again")
        #expect(try mirror.files.table(classId: 1) == newer)
        #expect(try mirror.files.table(classId: 2) == first)
    }

    @Test func foldingATableKeepsTheLargerOfEachRecord() {
        var a = HistoryTable()
        a.fold(racerId: 1, second: 1, output: Self.output("10"))
        a.fold(racerId: 1, second: 2, output: Self.output("5"))
        var b = HistoryTable()
        b.fold(racerId: 1, second: 2, output: Self.output("7.25"))
        b.fold(racerId: 3, second: 4, output: Self.output("1"))
        let changed = a.fold(b)
        let again = a.fold(b)
        #expect(changed)
        #expect(!again)
        #expect(a.racerIds == [1, 3])
        #expect(a.best(racerId: 1, second: 1) == Self.output("10"))
        #expect(a.best(racerId: 1, second: 2) == Self.output("7.25"))
        #expect(a.best(racerId: 3, second: 4) == Self.output("1"))
        #expect(a.seconds == 4)
    }
}
