import AWSClient
import AlleycatTesting
import HistoryFile
import RaceModel
import Storage
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
}
