import Foundation
import Testing
@testable import RaceStore

// The crafted race: race 100, class 2, three racers, five seconds, every racer
// sending "final" on second 5.
//   racer 1 Ann: 10, 20, 30, 40, 50.25   total 150.25, best 50.25, final 50.25
//   racer 2 Bob: 50.25, 40, 30, 20, 10   total 150.25, best 50.25, final 10 (ties Ann twice)
//   racer 3 Cy:  25, -, 60.5, 25, 25     total 135.5,  best 60.5,  final 25, 4 seconds
private let raceId: Int64 = 100
private let classId = 2
private let startMillis: Int64 = 1_700_000_000_000
private let crafted: [(racerId: Int, name: String, outputs: [Double?])] = [
    (1, "Ann", [10, 20, 30, 40, 50.25]),
    (2, "Bob", [50.25, 40, 30, 20, 10]),
    (3, "Cy", [25, nil, 60.5, 25, 25]),
]

/// Bob's bike clock runs 250 ms ahead of the others, so the race starts at his first message.
private func deviceTimestamp(racerId: Int, second: Int) -> Int64 {
    startMillis + Int64(second - 1) * 1000 - (racerId == 2 ? 250 : 0)
}

private func craftedBatch(
    raceId: Int64 = raceId, seconds: ClosedRange<Int> = 1...5, objectKeys: [String] = [],
    racers: [(racerId: Int, name: String, outputs: [Double?])] = crafted
) -> MergeBatch {
    var batch = MergeBatch(objectKeys: objectKeys)
    for racer in racers {
        for second in seconds {
            guard let output = racer.outputs[second - 1] else { continue }
            batch.add(
                raceId: raceId, classId: classId, racerId: racer.racerId, name: racer.name,
                second: second, output: output, isFinal: second == 5,
                deviceTimestamp: deviceTimestamp(racerId: racer.racerId, second: second))
        }
    }
    return batch
}

/// Everything the queries can show, to compare two stores row for row.
private struct Snapshot: Equatable {
    var results: [RacerRaceResult]
    var races: [RaceSummary]
    var leaderboards: [Measure: [LeaderboardEntry]]
    var records: [Int: [Measure: [Int: LeaderboardEntry]]]
    var ledger: Set<String>

    init(_ store: RaceStore, raceIds: [Int64] = [raceId], racerIds: [Int] = [1, 2, 3]) throws {
        results = try raceIds.flatMap { try store.results(raceId: $0) }
        races = try store.races(classId: classId)
        leaderboards = try Dictionary(uniqueKeysWithValues: Measure.allCases.map {
            ($0, try store.leaderboard(classId: classId, by: $0, limit: 10))
        })
        records = try Dictionary(uniqueKeysWithValues: racerIds.map { ($0, try store.racerRecords(racerId: $0)) })
        ledger = try store.mergedObjectKeys()
    }
}

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("RaceStoreTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private let expectedResults = [
    RacerRaceResult(
        raceId: 100, classId: 2, rank: 1, racerId: 1, name: "Ann", finalOutput: 50.25, bestOutput: 50.25,
        totalOutput: 150.25, secondsReported: 5, finalSecond: 5, series: [10, 20, 30, 40, 50.25]),
    RacerRaceResult(
        raceId: 100, classId: 2, rank: 2, racerId: 2, name: "Bob", finalOutput: 10, bestOutput: 50.25,
        totalOutput: 150.25, secondsReported: 5, finalSecond: 5, series: [50.25, 40, 30, 20, 10]),
    RacerRaceResult(
        raceId: 100, classId: 2, rank: 3, racerId: 3, name: "Cy", finalOutput: 25, bestOutput: 60.5,
        totalOutput: 135.5, secondsReported: 4, finalSecond: 5, series: [25, nil, 60.5, 25, 25]),
]

// MARK: - The crafted race

@Test func craftedRaceResultsAreExact() throws {
    let store = try RaceStore.inMemory()
    try store.commit(craftedBatch())

    #expect(try store.results(raceId: 100) == expectedResults)
    #expect(try store.result(raceId: 100, classId: 2, racerId: 3) == expectedResults[2])
    #expect(try store.result(raceId: 100, classId: 1, racerId: 3) == nil)
    #expect(try store.results(raceId: 99) == [])
}

@Test func craftedRaceLeaderboardsAreExact() throws {
    let store = try RaceStore.inMemory()
    try store.commit(craftedBatch())

    #expect(try store.leaderboard(classId: 2, by: .total, limit: 10) == [
        LeaderboardEntry(rank: 1, racerId: 1, name: "Ann", raceId: 100, value: 150.25),
        LeaderboardEntry(rank: 2, racerId: 2, name: "Bob", raceId: 100, value: 150.25),
        LeaderboardEntry(rank: 3, racerId: 3, name: "Cy", raceId: 100, value: 135.5),
    ])
    #expect(try store.leaderboard(classId: 2, by: .best, limit: 10) == [
        LeaderboardEntry(rank: 1, racerId: 3, name: "Cy", raceId: 100, value: 60.5),
        LeaderboardEntry(rank: 2, racerId: 1, name: "Ann", raceId: 100, value: 50.25),
        LeaderboardEntry(rank: 3, racerId: 2, name: "Bob", raceId: 100, value: 50.25),
    ])
    #expect(try store.leaderboard(classId: 2, by: .final, limit: 10) == [
        LeaderboardEntry(rank: 1, racerId: 1, name: "Ann", raceId: 100, value: 50.25),
        LeaderboardEntry(rank: 2, racerId: 3, name: "Cy", raceId: 100, value: 25),
        LeaderboardEntry(rank: 3, racerId: 2, name: "Bob", raceId: 100, value: 10),
    ])
    #expect(try store.leaderboard(classId: 2, by: .total, limit: 2).map(\.racerId) == [1, 2])
    #expect(try store.leaderboard(classId: 2, by: .total, limit: 0) == [])
    #expect(try store.leaderboard(classId: 1, by: .total, limit: 10) == [])
}

@Test func craftedRaceSummaryIsExact() throws {
    let store = try RaceStore.inMemory()
    try store.commit(craftedBatch())

    #expect(try store.races(classId: 2) == [
        RaceSummary(raceId: 100, classId: 2, startMillis: 1_699_999_999_750, status: .finished, racerCount: 3)
    ])
    #expect(try store.races(classId: 1) == [])
    #expect(try store.raceExists(raceId: 100))
    #expect(try !store.raceExists(raceId: 101))
    #expect(try store.racerExists(racerId: 3))
    #expect(try !store.racerExists(racerId: 4))
}

@Test func raceIsRunningUntilAFinalSecondArrives() throws {
    let store = try RaceStore.inMemory()
    try store.commit(craftedBatch(seconds: 1...4))

    #expect(try store.races(classId: 2) == [
        RaceSummary(raceId: 100, classId: 2, startMillis: 1_699_999_999_750, status: .running, racerCount: 3)
    ])
    #expect(try store.result(raceId: 100, classId: 2, racerId: 1)?.finalOutput == nil)
    #expect(try store.result(raceId: 100, classId: 2, racerId: 1)?.finalSecond == nil)
    #expect(try store.leaderboard(classId: 2, by: .final, limit: 10) == [])

    try store.commit(craftedBatch(seconds: 5...5))
    #expect(try store.races(classId: 2).first?.status == .finished)
}

@Test func racerRecordsCarryTheirLeaderboardRank() throws {
    let store = try RaceStore.inMemory()
    try store.commit(craftedBatch())

    #expect(try store.racerRecords(racerId: 2) == [
        .total: [2: LeaderboardEntry(rank: 2, racerId: 2, name: "Bob", raceId: 100, value: 150.25)],
        .best: [2: LeaderboardEntry(rank: 3, racerId: 2, name: "Bob", raceId: 100, value: 50.25)],
        .final: [2: LeaderboardEntry(rank: 3, racerId: 2, name: "Bob", raceId: 100, value: 10)],
    ])
    #expect(try store.racerRecords(racerId: 9) == [:])
}

@Test func resultsAreOrderedByClassThenTotalAndRacerResultsNewestFirstEachWithItsRankInItsClass() throws {
    let store = try RaceStore.inMemory()
    var batch = craftedBatch()
    batch.add(raceId: 100, classId: 1, racerId: 3, name: "Cy", second: 1, output: 5, isFinal: false, deviceTimestamp: 1)
    batch.add(raceId: 101, classId: 6, racerId: 3, name: "Cy", second: 2, output: 6, isFinal: false, deviceTimestamp: 2)
    try store.commit(batch)

    #expect(try store.results(raceId: 100).map { [$0.classId, $0.racerId, $0.rank] } == [[1, 3, 1], [2, 1, 1], [2, 2, 2], [2, 3, 3]])
    #expect(try store.racerResults(racerId: 3).map { "\($0.raceId)/\($0.classId) #\($0.rank)" } == ["101/6 #1", "100/1 #1", "100/2 #3"])
    #expect(try store.races(classId: 1) == [
        RaceSummary(raceId: 100, classId: 1, startMillis: 1, status: .running, racerCount: 1)
    ])
    #expect(try store.racerResults(racerId: 4) == [])
}

// MARK: - Idempotence and order independence

@Test func committingTheSameBatchTwiceChangesNothing() throws {
    let store = try RaceStore.inMemory()
    let batch = craftedBatch(objectKeys: ["2023/11/14/22/a.gz"])
    try store.commit(batch)
    let once = try Snapshot(store)
    try store.commit(batch)

    #expect(try Snapshot(store) == once)
    #expect(try store.results(raceId: 100) == expectedResults)
    #expect(try store.leaderboard(classId: 2, by: .total, limit: 1).first?.value == 150.25)
}

@Test func samplesSplitOverBatchesGiveTheSameRowsInEitherOrder() throws {
    let whole = try RaceStore.inMemory()
    try whole.commit(craftedBatch(objectKeys: ["a", "b"]))
    let expected = try Snapshot(whole)

    // Second 3 is in both halves, as after a partial replay.
    let first = craftedBatch(seconds: 1...3, objectKeys: ["a"])
    let second = craftedBatch(seconds: 3...5, objectKeys: ["b"])
    for order in [[first, second], [second, first]] {
        let store = try RaceStore.inMemory()
        for batch in order { try store.commit(batch) }
        #expect(try Snapshot(store) == expected)
    }
}

@Test func duplicateSecondsInOneBatchKeepTheHighestOutput() throws {
    var batch = MergeBatch()
    for output in [5.0, 7.5, 6.0] {
        batch.add(raceId: 1, classId: 1, racerId: 1, name: "Ann", second: 2, output: output,
                  isFinal: false, deviceTimestamp: 10)
    }
    let store = try RaceStore.inMemory()
    try store.commit(batch)

    let result = try #require(try store.result(raceId: 1, classId: 1, racerId: 1))
    #expect(result.series == [nil, 7.5])
    #expect(result.totalOutput == 7.5)
    #expect(result.secondsReported == 1)
}

@Test func theHigherOutputOfASecondWinsAcrossBatchesInEitherOrder() throws {
    func batch(_ output: Double) -> MergeBatch {
        var batch = MergeBatch()
        batch.add(raceId: 1, classId: 1, racerId: 1, name: "Ann", second: 3, output: output, isFinal: false, deviceTimestamp: 1)
        return batch
    }
    for order in [[30.0, 35.0], [35.0, 30.0]] {
        let store = try RaceStore.inMemory()
        for output in order { try store.commit(batch(output)) }
        let result = try #require(try store.result(raceId: 1, classId: 1, racerId: 1))
        #expect(result.series == [nil, nil, 35])
        #expect(result.totalOutput == 35)
        #expect(try store.leaderboard(classId: 1, by: .best, limit: 1).first?.value == 35)
    }
}

// MARK: - All-time records

@Test func aBetterLaterRaceReplacesARecordAndAWorseOneDoesNot() throws {
    let store = try RaceStore.inMemory()
    let ann = crafted[0]
    try store.commit(craftedBatch(raceId: 100, racers: [ann]))
    #expect(try store.racerRecords(racerId: 1)[.total]?[2]?.raceId == 100)

    // Every output doubled: total 300.5, best 100.5, final 100.5.
    try store.commit(craftedBatch(raceId: 101, racers: [(1, "Ann", ann.outputs.map { $0.map { $0 * 2 } })]))
    // Every output 1 lower: worse on every measure.
    try store.commit(craftedBatch(raceId: 102, racers: [(1, "Ann", ann.outputs.map { $0.map { $0 - 1 } })]))

    #expect(try store.racerRecords(racerId: 1) == [
        .total: [2: LeaderboardEntry(rank: 1, racerId: 1, name: "Ann", raceId: 101, value: 300.5)],
        .best: [2: LeaderboardEntry(rank: 1, racerId: 1, name: "Ann", raceId: 101, value: 100.5)],
        .final: [2: LeaderboardEntry(rank: 1, racerId: 1, name: "Ann", raceId: 101, value: 100.5)],
    ])
    #expect(try store.leaderboard(classId: 2, by: .total, limit: 10) == [
        LeaderboardEntry(rank: 1, racerId: 1, name: "Ann", raceId: 101, value: 300.5)
    ])
    #expect(try store.racerResults(racerId: 1).map(\.raceId) == [102, 101, 100])
    #expect(try store.races(classId: 2).map(\.raceId) == [102, 101, 100])
    #expect(try store.races(classId: 2, limit: 1).map(\.raceId) == [102])
}

@Test func anEqualRaceKeepsTheEarlierRaceWhicheverIsCommittedFirst() throws {
    let ann = crafted[0]
    for order: [Int64] in [[200, 201], [201, 200]] {
        let store = try RaceStore.inMemory()
        for id in order { try store.commit(craftedBatch(raceId: id, racers: [ann])) }
        for measure in Measure.allCases {
            #expect(try store.leaderboard(classId: 2, by: measure, limit: 1).first?.raceId == 200)
        }
    }
}

@Test func aRaceWhoseFinalOutputDropsGivesUpItsRecord() throws {
    let store = try RaceStore.inMemory()
    var batch = MergeBatch()
    // Race 300 first says its final second is 4 (output 90), race 301 ends on 70.
    batch.add(raceId: 300, classId: 1, racerId: 1, name: "Ann", second: 4, output: 90, isFinal: true, deviceTimestamp: 1)
    batch.add(raceId: 301, classId: 1, racerId: 1, name: "Ann", second: 5, output: 70, isFinal: true, deviceTimestamp: 2)
    try store.commit(batch)
    #expect(try store.leaderboard(classId: 1, by: .final, limit: 1).first?.raceId == 300)

    // A later final second for race 300 replaces its final output with 30.
    var later = MergeBatch()
    later.add(raceId: 300, classId: 1, racerId: 1, name: "Ann", second: 5, output: 30, isFinal: true, deviceTimestamp: 3)
    try store.commit(later)

    #expect(try store.result(raceId: 300, classId: 1, racerId: 1)?.finalOutput == 30)
    #expect(try store.leaderboard(classId: 1, by: .final, limit: 5) == [
        LeaderboardEntry(rank: 1, racerId: 1, name: "Ann", raceId: 301, value: 70)
    ])
    #expect(try store.leaderboard(classId: 1, by: .best, limit: 1).first?.raceId == 300)
}

// MARK: - Names

@Test func namesAreTheLastSeen() throws {
    let store = try RaceStore.inMemory()
    var batch = MergeBatch()
    batch.add(raceId: 10, classId: 1, racerId: 7, name: "old", second: 1, output: 100, isFinal: false, deviceTimestamp: 1)
    try store.commit(batch)
    var renamed = MergeBatch()
    renamed.add(raceId: 11, classId: 1, racerId: 7, name: "new", second: 1, output: 1, isFinal: false, deviceTimestamp: 2)
    try store.commit(renamed)
    // Replaying the old race keeps the newer race's name on the leaderboard.
    try store.commit(batch)

    #expect(try store.leaderboard(classId: 1, by: .total, limit: 1) == [
        LeaderboardEntry(rank: 1, racerId: 7, name: "new", raceId: 10, value: 100)
    ])
    #expect(try store.racerResults(racerId: 7).map(\.name) == ["new", "old"])

    var laterInRace = MergeBatch()
    laterInRace.add(raceId: 10, classId: 1, racerId: 7, name: "fixed", second: 2, output: 1, isFinal: false, deviceTimestamp: 3)
    try store.commit(laterInRace)
    #expect(try store.result(raceId: 10, classId: 1, racerId: 7)?.name == "fixed")
}

// MARK: - Ledger

@Test func ledgerHoldsExactlyTheCommittedKeys() throws {
    let store = try RaceStore.inMemory()
    try store.commit(MergeBatch(objectKeys: ["k1", "k2"]))
    try store.commit(craftedBatch(objectKeys: ["k2", "k3"]))

    #expect(try store.mergedObjectKeys() == ["k1", "k2", "k3"])
    #expect(try store.isMerged(objectKey: "k3"))
    #expect(try !store.isMerged(objectKey: "k4"))
}

// MARK: - Validation

@Test func anInvalidSecondRollsBackTheWholeBatch() throws {
    let store = try RaceStore.inMemory()
    var batch = craftedBatch(objectKeys: ["bad"])
    batch.add(raceId: 100, classId: 2, racerId: 4, name: "Dee", second: 0, output: 1, isFinal: false, deviceTimestamp: 1)

    let error = #expect(throws: RaceStoreError.self) { try store.commit(batch) }
    #expect(error == .secondOutOfRange(key: RaceKey(raceId: 100, classId: 2), racerId: 4, second: 0))
    #expect(error?.description == "race 100 class 2 racer 4: second is 0, must be in 1...86400")
    #expect(try !store.raceExists(raceId: 100))
    #expect(try store.mergedObjectKeys() == [])
}

// MARK: - Building batches and the stored format

@Test func mergeBatchAddKeepsLastNameAndFirstTimestamp() {
    var batch = MergeBatch()
    batch.add(raceId: 5, classId: 3, racerId: 9, name: "a", second: 2, output: 1, isFinal: false, deviceTimestamp: 2_000)
    batch.add(raceId: 5, classId: 3, racerId: 9, name: "b", second: 1, output: 2, isFinal: false, deviceTimestamp: 1_000)
    batch.add(raceId: 5, classId: 4, racerId: 9, name: "c", second: 1, output: 3, isFinal: true, deviceTimestamp: 3_000)

    #expect(batch.samples[RaceKey(raceId: 5, classId: 3)]?[9] == RacerSamples(
        name: "b",
        samples: [SecondSample(second: 2, output: 1), SecondSample(second: 1, output: 2)],
        firstDeviceTimestamp: 1_000))
    #expect(batch.samples[RaceKey(raceId: 5, classId: 4)]?[9]?.samples == [
        SecondSample(second: 1, output: 3, isFinal: true)
    ])
    #expect(batch.sampleCount == 3)
}

@Test func seriesBlobIsLittleEndianFloat64WithNaNForMissing() throws {
    let bytes = [UInt8](SeriesBlob.encode([1.0, .nan, -2.5]))
    #expect(bytes == [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x7F,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xC0,
    ])
    let decoded = try #require(SeriesBlob.decode(Data(bytes)))
    #expect(decoded.count == 3)
    #expect(decoded[0] == 1.0 && decoded[1].isNaN && decoded[2] == -2.5)
    #expect(SeriesBlob.decode(Data([1, 2, 3])) == nil)
}

@Test func raceKeysOrderByRaceThenClass() {
    let keys = [RaceKey(raceId: 2, classId: 1), RaceKey(raceId: 1, classId: 6), RaceKey(raceId: 1, classId: 2)]
    #expect(keys.sorted() == [
        RaceKey(raceId: 1, classId: 2), RaceKey(raceId: 1, classId: 6), RaceKey(raceId: 2, classId: 1),
    ])
}

// MARK: - File-backed store

@Test func fileStorePersistsAcrossReopenInWALMode() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    // The parent directories do not exist yet: the store creates them.
    let path = directory.appendingPathComponent("data/nested/alleycat.sqlite").path

    do {
        let store = try RaceStore(path: path)
        try store.commit(craftedBatch(objectKeys: ["k1"]))
        #expect(try store.journalMode() == "wal")
    }
    let reopened = try RaceStore(path: path)
    #expect(try reopened.journalMode() == "wal")
    #expect(try reopened.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5"])
    #expect(try reopened.results(raceId: 100) == expectedResults)
    #expect(try reopened.mergedObjectKeys() == ["k1"])
    #expect(try reopened.races(classId: 2).map(\.racerCount) == [3])

    let again = try RaceStore(path: path)
    #expect(try again.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5"])
}

@Test func concurrentCommitsAndReadsOnAFileStore() async throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try RaceStore(path: directory.appendingPathComponent("alleycat.sqlite").path)

    try await withThrowingTaskGroup(of: Void.self) { group in
        for classId in 1...6 {
            group.addTask {
                var batch = MergeBatch(objectKeys: ["class-\(classId)"])
                for racerId in 1...20 {
                    batch.add(raceId: 9, classId: classId, racerId: racerId, name: "r\(racerId)", second: 1,
                              output: Double(racerId), isFinal: true, deviceTimestamp: 9)
                }
                try store.commit(batch)
                _ = try store.leaderboard(classId: classId, by: .total, limit: 3)
            }
        }
        try await group.waitForAll()
    }

    #expect(try store.results(raceId: 9).count == 120)
    #expect(try store.mergedObjectKeys().count == 6)
    #expect(try store.leaderboard(classId: 4, by: .best, limit: 2).map(\.racerId) == [20, 19])
}

// MARK: - Cost (printed, not asserted)

@Test func timingOfAWholeRace() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try RaceStore(path: directory.appendingPathComponent("alleycat.sqlite").path)

    let racers = 1_000, seconds = 300, batchCount = 6
    let output = { (racer: Int, second: Int) in Double((racer * 31 + second * 17) % 200) + 0.5 }
    var batches: [MergeBatch] = []
    let secondsPerBatch = seconds / batchCount
    for index in 0..<batchCount {
        var batch = MergeBatch(objectKeys: ["object-\(index)"])
        for second in (index * secondsPerBatch + 1)...((index + 1) * secondsPerBatch) {
            for racer in 1...racers {
                batch.add(raceId: 7, classId: 1, racerId: racer, name: "racer \(racer)", second: second,
                          output: output(racer, second), isFinal: second == seconds,
                          deviceTimestamp: startMillis + Int64(second) * 1000)
            }
        }
        batches.append(batch)
    }

    let clock = ContinuousClock()
    var perBatch: [Duration] = []
    for batch in batches {
        perBatch.append(try clock.measure { try store.commit(batch) })
    }
    let total = perBatch.reduce(Duration.zero, +)
    let millis = { (duration: Duration) in
        String(format: "%.1f", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1e3)
    }
    print("RaceStore timing: \(racers * seconds) samples (\(racers) racers × \(seconds) s) in \(batchCount) batches: "
          + "\(millis(total)) ms total; per batch \(perBatch.map(millis).joined(separator: ", ")) ms")

    let racer42 = try #require(try store.result(raceId: 7, classId: 1, racerId: 42))
    #expect(racer42.secondsReported == 300)
    #expect(racer42.totalOutput == (1...seconds).reduce(0.0) { $0 + output(42, $1) })
    #expect(try store.races(classId: 1).first?.racerCount == racers)
}
