import StreamReading
import KinesisStream
import RaceModel
import Testing
@testable import Rankings

@Suite struct RankingEngineTests {
    typealias Entry = HereNowView.Entry

    @Test func publishesOneUpdatePerAdvancedSecondWithExactStandings() throws {
        let engine = RankingEngine()
        var updates: [RankingUpdate] = []
        for (index, batch) in CraftedRace.seconds.enumerated() {
            let records = try streamRecords([(Int64(index + 1) * 1000, payloads(batch))])
            let returned = engine.ingest(records, nowMillis: Int64(index + 1) * 1000 + 40)
            #expect(returned.count == 1)
            updates += returned
        }
        #expect(updates.map(\.second) == [1, 2, 3])
        #expect(updates.allSatisfy { $0.classId == 2 && $0.raceId == 5_000 && $0.latencyMillis == 40 })
        // Second 1: 12 (95), 14 (90), 11 (85), 13 (64).
        #expect(updates[0].standings == [
            Entry(rank: 1, racerId: 12, output: 95, best: 95, second: 1),
            Entry(rank: 2, racerId: 14, output: 90, best: 90, second: 1),
            Entry(rank: 3, racerId: 11, output: 85, best: 85, second: 1),
            Entry(rank: 4, racerId: 13, output: 64, best: 64, second: 1),
        ])
        // Second 2: 11 (105), then 12 and 13 tie at 90 and the lower id goes first, 14 (65; best still 90).
        #expect(updates[1].standings == [
            Entry(rank: 1, racerId: 11, output: 105, best: 105, second: 2),
            Entry(rank: 2, racerId: 12, output: 90, best: 95, second: 2),
            Entry(rank: 3, racerId: 13, output: 90, best: 90, second: 2),
            Entry(rank: 4, racerId: 14, output: 65, best: 90, second: 2),
        ])
        // Second 3: 12 (115), 11 (114.24), 13 (80.5), 14 keeps its second-2 output (65).
        #expect(updates[2].standings == [
            Entry(rank: 1, racerId: 12, output: 115, best: 115, second: 3),
            Entry(rank: 2, racerId: 11, output: 114.24, best: 114.24, second: 3),
            Entry(rank: 3, racerId: 13, output: 80.5, best: 90, second: 3),
            Entry(rank: 4, racerId: 14, output: 65, best: 90, second: 2),
        ])
        #expect(updates[2].standings.map(\.name) == [12, 11, 13, 14].map { Roster.name(of: $0) })
        #expect(engine.metrics.updatesPublished == 3)
        #expect(engine.metrics.recordsIngested == 11)
        #expect(engine.metrics.recordsRanked == 11)
    }

    @Test func implausibleRecordsAreCountedAndNotRanked() throws {
        let engine = RankingEngine()
        // Racer 12's forged second (cadence 1000) and racer 11's jump from 85 to
        // (150 + 35) × (100 + 65) / 100 = 305.25 stay out; racer 13 ranks alone at second 2.
        let first = try streamRecords([(1000, payloads([
            message(racer: 11, second: 1, cadence: "50", resistance: "35"),
            message(racer: 12, second: 1, cadence: "1000", resistance: "35"),
        ]))])
        #expect(engine.ingest(first, nowMillis: 1040).map { $0.standings.map(\.racerId) } == [[11]])
        let second = try streamRecords([(2000, payloads([
            message(racer: 11, second: 2, cadence: "150", resistance: "100"),
            message(racer: 13, second: 2, cadence: "55", resistance: "35"),
        ]))])
        let update = engine.ingest(second, nowMillis: 2040)
        #expect(update.map { $0.standings } == [[
            Entry(rank: 1, racerId: 13, output: 90, best: 90, second: 2),
            Entry(rank: 2, racerId: 11, output: 85, best: 85, second: 1),
        ]])
        #expect(engine.metrics.implausible == 2)
        #expect(engine.metrics.recordsRanked == 2)
        #expect(engine.metrics.lastImplausibleReason
            == "output is 305.25, a change of 220.25 from second 1's 85, above class 2's plausibility limit of 100 a second")
    }

    @Test func lateRecordsOfTheCurrentSecondArePublishedAfterTheGrace() throws {
        let engine = RankingEngine()
        // Second 1 complete, then second 2 without racer 14, whose message comes 200 ms later.
        _ = engine.ingest(try streamRecords([(1_000, payloads(CraftedRace.seconds[0]))]), nowMillis: 1_010)
        let second2 = CraftedRace.seconds[1]
        let early = engine.ingest(try streamRecords([(2_000, payloads(second2.filter { $0.racerId != 14 }))]), nowMillis: 2_010)
        #expect(early.map(\.second) == [2])
        #expect(engine.ingest(try streamRecords([(2_200, payloads(second2.filter { $0.racerId == 14 }))]), nowMillis: 2_210).isEmpty)
        #expect(engine.hereNow(classId: 2, limit: 4, racerId: 14).racer?.entry.second == 1)
        #expect(engine.publishPending(nowMillis: 2_699, afterMillis: 500).isEmpty)
        let late = engine.publishPending(nowMillis: 2_700, afterMillis: 500)
        #expect(late.map(\.second) == [2])
        #expect(late.map(\.latencyMillis) == [500])
        #expect(late[0].standings.first { $0.racerId == 14 } == Entry(rank: 4, racerId: 14, output: 65, best: 90, second: 2))
        #expect(engine.hereNow(classId: 2, limit: 4, racerId: 14).racer?.entry.second == 2)
        // Nothing left to publish.
        #expect(engine.publishPending(nowMillis: 9_000, afterMillis: 500).isEmpty)
    }

    @Test func aBatchSpanningSecondsGivesOneUpdateForTheLatest() throws {
        let engine = RankingEngine()
        let records = try streamRecords([
            (1_000, payloads(CraftedRace.seconds[0])),
            (2_000, payloads(Array(CraftedRace.seconds[1].prefix(2)))),
            (2_030, payloads(Array(CraftedRace.seconds[1].suffix(2)))),
        ])
        let updates = engine.ingest(records, nowMillis: 2_100)
        #expect(updates.count == 1)
        #expect(updates[0].second == 2)
        // Second 1's records waited for this update too: the delay is the oldest one's.
        #expect(updates[0].earliestArrivalMillis == 1_000)
        #expect(updates[0].latencyMillis == 1_100)
        // The next update counts only what came in after this one.
        let next = engine.ingest(try streamRecords([(2_900, payloads(CraftedRace.seconds[2]))]), nowMillis: 2_950)
        #expect(next.map(\.latencyMillis) == [50])
        #expect(updates[0].standings.map(\.racerId) == [11, 12, 13, 14])
    }

    @Test func aBatchThatDoesNotAdvanceTheSecondPublishesNothing() {
        let engine = RankingEngine()
        _ = engine.ingest(Array(CraftedRace.seconds[0].prefix(2)), arrivalMillis: 1_000, nowMillis: 1_010)
        let late = engine.ingest(Array(CraftedRace.seconds[0].suffix(2)), arrivalMillis: 1_020, nowMillis: 1_030)
        #expect(late.isEmpty)
        // Recorded, and ranked at the next published second.
        #expect(engine.progress(classId: 2, racerId: 14)?.latestOutput == 90)
        #expect(engine.hereNow(classId: 2, limit: 10).total == 2)
        let next = engine.ingest(CraftedRace.seconds[1], arrivalMillis: 2_000, nowMillis: 2_010)
        #expect(next.map(\.standings.count) == [4])
    }

    @Test func aLateSecondIsRecordedWithoutMovingLatestBack() {
        let engine = RankingEngine()
        _ = engine.ingest([message(racer: 11, second: 1, cadence: "50", resistance: "35")], arrivalMillis: 1_000, nowMillis: 1_000)
        _ = engine.ingest([message(racer: 11, second: 3, cadence: "61", resistance: "54")], arrivalMillis: 3_000, nowMillis: 3_000)
        #expect(engine.progress(classId: 2, racerId: 11)?.outputs == [85, nil, 114.24])
        let late = engine.ingest([message(racer: 11, second: 2, cadence: "100", resistance: "35")], arrivalMillis: 3_100, nowMillis: 3_100)
        #expect(late.isEmpty)
        let progress = try! #require(engine.progress(classId: 2, racerId: 11))
        #expect(progress.latestSecond == 3)
        #expect(progress.latestOutput == 114.24)
        // (100 + 35) * (35 + 65) / 100 = 135, the best so far though it is not the latest.
        #expect(progress.outputs == [85, 135, 114.24])
        #expect(progress.output(atSecond: 2) == 135)
        #expect(progress.best == 135)
    }

    @Test func recordsOfAnOlderRaceAreCountedAndIgnored() {
        let engine = CraftedRace.engine()
        let stale = [message(racer: 99, second: 4, cadence: "90", resistance: "86", raceId: 4_999)]
        #expect(engine.ingest(stale, arrivalMillis: 4_000, nowMillis: 4_000).isEmpty)
        #expect(engine.metrics.staleRace == 1)
        #expect(engine.progress(classId: 2, racerId: 99) == nil)
        #expect(engine.hereNow(classId: 2, limit: 10).leaders.map(\.racerId) == [12, 11, 13, 14])
    }

    @Test func malformedRecordsAreSkippedAndCountedAndTheRestRanked() throws {
        let engine = RankingEngine(raceLength: 300)
        var bad = payloads([message(racer: 1, second: 301, cadence: "50", resistance: "35")])
        bad.append(Array(#"{"event":"update""#.utf8))
        var wrongClass = message(racer: 2, second: 1, cadence: "50", resistance: "35")
        wrongClass.classId = 7
        bad += payloads([wrongClass])
        let good = payloads([message(racer: 3, second: 1, cadence: "50", resistance: "35")])
        let records = try streamRecords([(1_000, bad + good)])
        let updates = engine.ingest(records, nowMillis: 1_001)
        #expect(updates.map(\.standings) == [[HereNowView.Entry(rank: 1, racerId: 3, output: 85, best: 85, second: 1)]])
        let metrics = engine.metrics
        #expect(metrics.recordsIngested == 4)
        #expect(metrics.skipped == 3)
        #expect(metrics.recordsRanked == 1)
        #expect(metrics.lastSkipReason == "classId is 7, must be in 1...6")
    }

    @Test func parsedMessagesOutsideTheRaceAreSkipped() {
        let engine = RankingEngine(raceLength: 3)
        var wrongClass = message(racer: 2, second: 1, cadence: "50", resistance: "35")
        wrongClass.classId = 0
        let messages = [message(racer: 1, second: 4, cadence: "50", resistance: "35"), wrongClass]
        #expect(engine.ingest(messages, arrivalMillis: 0, nowMillis: 0).isEmpty)
        #expect(engine.metrics.skipped == 2)
        #expect(engine.metrics.lastSkipReason == "classId is 0, must be in 1...6")
    }

    @Test func aNewRaceIdResetsTheClass() {
        let engine = CraftedRace.engine()
        let updates = engine.ingest(
            [message(racer: 30, second: 1, cadence: "40", resistance: "35", raceId: 5_001)], arrivalMillis: 9_000,
            nowMillis: 9_005)
        #expect(updates == [RankingUpdate(
            classId: 2, raceId: 5_001, second: 1,
            standings: [HereNowView.Entry(rank: 1, racerId: 30, output: 75, best: 75, second: 1)],
            earliestArrivalMillis: 9_000, publishedMillis: 9_005)])
        #expect(engine.progress(classId: 2, racerId: 11) == nil)
        let view = engine.hereNow(classId: 2, limit: 10, racerId: 11)
        #expect(view.raceId == 5_001)
        #expect(view.leaders.map(\.racerId) == [30])
        #expect(view.racer == nil)
        #expect(engine.metrics.racesStarted == 2)
        // The old race is now stale.
        _ = engine.ingest([message(racer: 11, second: 4, cadence: "50", resistance: "35")], arrivalMillis: 9_100, nowMillis: 9_100)
        #expect(engine.metrics.staleRace == 1)
    }

    @Test func aNewRaceStartsAgainFromSecondOne() {
        let engine = CraftedRace.engine()
        // Race 5001 at second 1 is published although 1 < 3.
        let updates = engine.ingest(
            [message(racer: 11, second: 1, cadence: "50", resistance: "35", raceId: 5_001)], arrivalMillis: 0, nowMillis: 0)
        #expect(updates.map(\.second) == [1])
        #expect(engine.hereNow(classId: 2, limit: 1).second == 1)
    }

    @Test func classesAreRankedApartAndUpdatesComeInClassOrder() {
        let engine = RankingEngine()
        let updates = engine.ingest(
            [
                message(racer: 1, second: 1, cadence: "50", resistance: "35", classId: 6, raceId: 7),
                message(racer: 2, second: 1, cadence: "60", resistance: "35", classId: 1, raceId: 9),
                message(racer: 3, second: 1, cadence: "70", resistance: "35", classId: 6, raceId: 7),
            ], arrivalMillis: 100, nowMillis: 120)
        #expect(updates.map(\.classId) == [1, 6])
        #expect(updates.map(\.raceId) == [9, 7])
        #expect(updates.map { $0.standings.map(\.racerId) } == [[2], [3, 1]])
        #expect(engine.metrics.racesStarted == 2)
    }

    @Test func aRepeatedMessageReplacesTheValueAndTheBestFollows() {
        let engine = RankingEngine()
        _ = engine.ingest([message(racer: 5, second: 1, cadence: "90", resistance: "35")], arrivalMillis: 0, nowMillis: 0)
        _ = engine.ingest([message(racer: 5, second: 2, cadence: "50", resistance: "35")], arrivalMillis: 0, nowMillis: 0)
        #expect(engine.progress(classId: 2, racerId: 5)?.best == 125)
        // Second 1 sent again with a lower value: 80 replaces 125, so the best is now second 2's 85.
        _ = engine.ingest([message(racer: 5, second: 1, cadence: "45", resistance: "35")], arrivalMillis: 0, nowMillis: 0)
        let progress = engine.progress(classId: 2, racerId: 5)
        #expect(progress?.outputs == [80, 85])
        #expect(progress?.best == 85)
    }
}
