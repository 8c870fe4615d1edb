import Foundation
import GRDB
import Testing
@testable import RaceStore

// A file store with known rows: race 7 of class 3, two racers over three seconds, one
// merged object, one API key; copied with `backup(to:)`.
private func knownStore(at path: String) throws -> RaceStore {
    let store = try RaceStore(path: path)
    var batch = MergeBatch(objectKeys: ["2026/12/01/16/alleycat-data-firehose-1-2026-12-01-16-00-00-a.gz"])
    for (racerId, name, outputs) in [(1, "Ann", [10.5, 20.25, 30.0]), (2, "Bob", [12.0, 8.0, 40.75])] {
        for (index, output) in outputs.enumerated() {
            batch.add(
                raceId: 7, classId: 3, racerId: racerId, name: name, second: index + 1, output: output, isFinal: index == 2,
                deviceTimestamp: 1_700_000_000_000 + Int64(index) * 1000)
        }
    }
    try store.commit(batch)
    _ = try store.createAPIKey(
        name: "bench", secret: "ACBENCHKEY234567ABCDEFGHIJKLMNOP", requestsPerSecond: 100, burst: 200,
        sealedSigningSecret: [1, 2, 3], nowMillis: 1_700_000_000_000)
    return store
}

private func scratchFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("RaceStoreBackupTests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Test func theCopyHoldsTheSameRowsInAFileCompleteOnItsOwn() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try knownStore(at: folder + "/alleycat.sqlite")
    // The commits are still in the live store's WAL, not yet in its main file.
    #expect(FileManager.default.fileExists(atPath: folder + "/alleycat.sqlite-wal"))

    let backup = try store.backup(to: folder + "/copy.sqlite")
    #expect(backup.integrityCheck == ["ok"])
    #expect(backup.mergedObjects == 1)
    #expect(backup.journalMode == "delete")
    #expect(backup.bytes == (try FileManager.default.attributesOfItem(atPath: folder + "/copy.sqlite")[.size] as? Int))
    #expect(!FileManager.default.fileExists(atPath: folder + "/copy.sqlite-wal"))
    #expect(!FileManager.default.fileExists(atPath: folder + "/copy.sqlite-shm"))
    // The file format's read and write versions (header bytes 18 and 19): 1 is rollback journal, 2 WAL.
    let header = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/copy.sqlite")).prefix(20))
    #expect(header[18] == 1 && header[19] == 1)

    // Opened as the service opens it: the same rows, and WAL again.
    let copy = try RaceStore(path: folder + "/copy.sqlite")
    #expect(try copy.journalMode() == "wal")
    #expect(try copy.results(raceId: 7) == store.results(raceId: 7))
    #expect(try copy.results(raceId: 7).map(\.totalOutput) == [60.75, 60.75])
    #expect(try copy.races(classId: 3) == [RaceSummary(raceId: 7, classId: 3, startMillis: 1_700_000_000_000, status: .finished, racerCount: 2)])
    for measure in Measure.allCases {
        #expect(try copy.leaderboard(classId: 3, by: measure, limit: 10) == store.leaderboard(classId: 3, by: measure, limit: 10))
    }
    #expect(try copy.mergedObjectKeys() == ["2026/12/01/16/alleycat-data-firehose-1-2026-12-01-16-00-00-a.gz"])
    #expect(try copy.apiKeys() == store.apiKeys())
    #expect(try copy.apiKeys().map(\.sealedSigningSecret) == [[1, 2, 3]])
}

/// A transaction another connection has open (as the merger of a running service holds
/// one) neither holds up the backup nor gets into it: the copy is the last commit.
@Test func aWriteInProgressElsewhereIsNotInTheCopyAndDoesNotHoldItUp() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try knownStore(at: folder + "/alleycat.sqlite")
    let writer = try DatabaseQueue(path: folder + "/alleycat.sqlite")
    try writer.inTransaction(.immediate) { db in
        try db.execute(sql: "INSERT INTO merged_objects (key, mergedAt) VALUES ('uncommitted.gz', 1)")
        let backup = try store.backup(to: folder + "/copy.sqlite")
        #expect(backup.mergedObjects == 1)
        #expect(backup.integrityCheck == ["ok"])
        return .commit
    }
    #expect(try store.mergedObjectKeys().count == 2)
    #expect(try RaceStore(path: folder + "/copy.sqlite").mergedObjectKeys() == ["2026/12/01/16/alleycat-data-firehose-1-2026-12-01-16-00-00-a.gz"])
}

@Test func aBackupGoesToANewFileOnly() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try knownStore(at: folder + "/alleycat.sqlite")
    try Data("not a store".utf8).write(to: URL(fileURLWithPath: folder + "/taken.sqlite"))
    #expect(throws: StoreBackupError(description: "\(folder)/taken.sqlite exists: a backup of the store goes to a new file")) {
        try store.backup(to: folder + "/taken.sqlite")
    }
    #expect(try String(contentsOfFile: folder + "/taken.sqlite", encoding: .utf8) == "not a store")
}
