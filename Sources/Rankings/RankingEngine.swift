import StreamReading
import HistoryFile
import RaceModel
import Synchronization

/// The live ranking engine behind the "Here now" and "All time" views.
///
/// `ingest` parses rider records, keeps every rider's output by second for each
/// class's current race (the highest race id seen), and when a class's current
/// second moves forward sorts its riders once and returns a `RankingUpdate`.
/// Queries answer from that sorted standing; they never sort. Parsing and sorting
/// run outside the lock, so queries wait only for the bookkeeping in between.
public final class RankingEngine: Sendable {
    public let raceLength: Int
    private let rules: RecordRules
    private let plausibility: Plausibility
    private let history: @Sendable (Int) -> HistoryTable
    private let state: Mutex<State>

    struct State {
        var classes: [ClassRace]
        var metrics = RankingMetrics()
    }

    /// A rider message reduced to what ranking needs.
    struct Sample {
        var classId: Int
        var raceId: Int64
        var racerId: Int
        var second: Int
        var output: DecimalNumber
        var arrivalMillis: Int64
    }

    /// A class's standings to sort outside the lock: its riders' keys and the standings they follow.
    typealias Pending = (
        classId: Int, raceId: Int64, second: Int, arrival: Int64, keys: [HereNowStandings.Key], previous: HereNowStandings?
    )

    /// Per class bookkeeping of one `ingest` call.
    private struct BatchProgress {
        var advanced = false
    }

    /// `history` gives a class's all-time table (the service passes `merger.table(classId:)`).
    /// Records beyond `plausibility` (as the firehose screens them) are counted and not ranked.
    public init(
        raceLength: Int = RaceSchedule.defaultRaceLength, plausibility: Plausibility = .standard,
        history: @escaping @Sendable (Int) -> HistoryTable = { _ in HistoryTable() }
    ) {
        precondition(raceLength >= 1, "a race lasts at least one second")
        self.raceLength = raceLength
        self.rules = RecordRules(raceLength: raceLength)
        self.plausibility = plausibility
        self.history = history
        self.state = Mutex(State(classes: ExerciseClass.validIds.map { ClassRace(classId: $0, raceLength: raceLength) }))
    }

    public var metrics: RankingMetrics {
        state.withLock { $0.metrics }
    }

    // MARK: Ingest

    /// Parses and applies stream records; returns one update per class whose
    /// current second moved forward, by class id. Invalid records are counted and skipped.
    public func ingest(_ records: [StreamRecord], nowMillis: Int64) -> [RankingUpdate] {
        var samples: [Sample] = []
        samples.reserveCapacity(records.count)
        var skipped = 0
        var lastError: RecordError?
        var implausible: [PlausibilityViolation] = []
        for record in records {
            let parsed: Result<RaceMessage, RecordError> = record.data.withUnsafeBytes { raw in
                Result { () throws(RecordError) -> RaceMessage in
                    try RecordParser.parse(raw.bindMemory(to: UInt8.self), rules: rules)
                }
            }
            switch parsed {
            case .success(let message):
                if let violation = plausibility.check(classId: message.classId, cadence: message.cadence, resistance: message.resistance) {
                    implausible.append(violation)
                } else {
                    samples.append(Sample(message, arrivalMillis: record.approximateArrivalMillis))
                }
            case .failure(let error):
                skipped += 1
                lastError = error
            }
        }
        return apply(samples, received: records.count, skipped: skipped, lastError: lastError, implausible: implausible, nowMillis: nowMillis)
    }

    /// Applies messages already parsed, all arrived at `arrivalMillis`. Messages with a
    /// class outside 1...6 or a second outside the race are counted as skipped.
    public func ingest(_ messages: [RaceMessage], arrivalMillis: Int64, nowMillis: Int64) -> [RankingUpdate] {
        var samples: [Sample] = []
        samples.reserveCapacity(messages.count)
        var lastError: RecordError?
        var implausible: [PlausibilityViolation] = []
        for message in messages {
            if !ExerciseClass.validIds.contains(message.classId) {
                lastError = .outOfRange(field: "classId", value: "\(message.classId)", rule: "in 1...6")
            } else if message.second < 1 || message.second > raceLength {
                lastError = .outOfRange(field: "second", value: "\(message.second)", rule: "in 1...\(raceLength)")
            } else if let violation = plausibility.check(classId: message.classId, cadence: message.cadence, resistance: message.resistance) {
                implausible.append(violation)
            } else {
                samples.append(Sample(message, arrivalMillis: arrivalMillis))
            }
        }
        return apply(
            samples, received: messages.count, skipped: messages.count - samples.count - implausible.count, lastError: lastError,
            implausible: implausible, nowMillis: nowMillis)
    }

    private func apply(
        _ samples: [Sample], received: Int, skipped: Int, lastError: RecordError?, implausible: [PlausibilityViolation], nowMillis: Int64
    ) -> [RankingUpdate] {
        let pending: [Pending] = state.withLock { state in
            state.metrics.recordsIngested += received
            state.metrics.skipped += skipped
            state.metrics.implausible += implausible.count
            if let lastError { state.metrics.lastSkipReason = lastError.description }
            if let last = implausible.last { state.metrics.lastImplausibleReason = last.description }
            var batch = [BatchProgress](repeating: BatchProgress(), count: state.classes.count)
            for sample in samples {
                let index = sample.classId - ExerciseClass.validIds.lowerBound
                if let current = state.classes[index].raceId, sample.raceId < current {
                    state.metrics.staleRace += 1
                    continue
                }
                if sample.raceId != state.classes[index].raceId {
                    state.classes[index].start(raceId: sample.raceId)
                    state.classes[index].historyAtStart = history(sample.classId)
                    state.metrics.racesStarted += 1
                    batch[index] = BatchProgress(advanced: true)
                }
                if sample.second > 1, let previous = state.classes[index].output(racerId: sample.racerId, second: sample.second - 1),
                   let violation = plausibility.checkJump(
                       classId: sample.classId, output: sample.output, previousSecond: sample.second - 1, previousOutput: previous) {
                    state.metrics.implausible += 1
                    state.metrics.lastImplausibleReason = violation.description
                    continue
                }
                if state.classes[index].record(racerId: sample.racerId, second: sample.second, output: sample.output) {
                    batch[index].advanced = true
                }
                state.classes[index].earliestUnpublishedArrival = min(state.classes[index].earliestUnpublishedArrival, sample.arrivalMillis)
            }
            var pending: [Pending] = []
            for (index, progress) in batch.enumerated() where progress.advanced {
                let race = state.classes[index]
                // The oldest record this update is the first to include: one that came in since the last
                // update (also one of an earlier second that waited for this publish), so the delay is the worst case.
                let arrival = race.earliestUnpublishedArrival == .max ? nowMillis : race.earliestUnpublishedArrival
                state.classes[index].earliestUnpublishedArrival = .max
                pending.append((race.classId, race.raceId!, race.currentSecond, arrival, race.standingKeys(), race.published))
            }
            return pending
        }
        return publish(pending, nowMillis: nowMillis)
    }

    /// Sorts outside the lock, installs the standings and makes the updates.
    private func publish(
        _ pending: [Pending], nowMillis: Int64
    ) -> [RankingUpdate] {
        if pending.isEmpty { return [] }
        let standings = pending.map { HereNowStandings(raceId: $0.raceId, second: $0.second, keys: $0.keys, previous: $0.previous) }
        state.withLock { state in
            for (item, ranked) in zip(pending, standings) {
                let index = item.classId - ExerciseClass.validIds.lowerBound
                if state.classes[index].publish(ranked) { state.metrics.updatesPublished += 1 }
            }
        }
        return zip(pending, standings).map { item, ranked in
            RankingUpdate(
                classId: item.classId, raceId: item.raceId, second: item.second, standings: ranked.entries,
                earliestArrivalMillis: item.arrival, publishedMillis: nowMillis)
        }
    }

    /// Re-publishes a class's current second when records that no update has included
    /// yet are older than `afterMillis`: late messages of the second the race is in
    /// (and the race's last second, which no later second ever follows) still reach
    /// the standings. The service calls this after each pump.
    public func publishPending(nowMillis: Int64, afterMillis: Int64) -> [RankingUpdate] {
        let pending: [Pending] = state.withLock { state in
            var pending: [Pending] = []
            for index in state.classes.indices {
                let race = state.classes[index]
                guard let raceId = race.raceId, race.earliestUnpublishedArrival != .max,
                      nowMillis - race.earliestUnpublishedArrival >= afterMillis
                else { continue }
                pending.append((race.classId, raceId, race.currentSecond, race.earliestUnpublishedArrival, race.standingKeys(), race.published))
                state.classes[index].earliestUnpublishedArrival = .max
            }
            return pending
        }
        return publish(pending, nowMillis: nowMillis)
    }

    // MARK: Queries

    /// "Here now": the class's current race as last published, the first `limit`
    /// entries, and the racer with up to two neighbours each side when asked for.
    public func hereNow(classId: Int, limit: Int, racerId: Int? = nil) -> HereNowView {
        let found: (raceId: Int64?, standings: HereNowStandings?, slot: Int?) = state.withLock { state in
            guard let race = Self.race(classId, in: state) else { return (nil, nil, nil) }
            return (race.raceId, race.published, racerId.flatMap { race.slots[$0] })
        }
        guard let standings = found.standings else {
            return HereNowView(classId: classId, raceId: found.raceId, second: 0, total: 0, leaders: [], racer: nil)
        }
        let entries = standings.entries
        var racer: Neighbourhood<HereNowView.Entry>?
        if let racerId, let slot = found.slot, let position = standings.position(ofSlot: slot, racerId: racerId) {
            racer = Neighbourhood(position: position, in: entries)
        }
        return HereNowView(
            classId: classId, raceId: standings.raceId, second: standings.second, total: entries.count,
            leaders: Array(entries.prefix(max(0, limit))), racer: racer)
    }

    /// "All time" at `second` (default: the class's current second): live outputs
    /// ranked with every other racer's record at that second. Built once per class,
    /// second and published second, then answered from the cache.
    public func allTime(classId: Int, second: Int? = nil, limit: Int, racerId: Int? = nil) -> AllTimeView {
        typealias Lookup = (raceId: Int64?, second: Int, generation: Int, cached: AllTimeStandings?, slot: Int?)
        let lookup: Lookup? = state.withLock { state in
            guard let race = Self.race(classId, in: state) else { return nil }
            let wanted = second ?? race.currentSecond
            let cached = race.allTimeCache.last { $0.second == wanted && $0.generation == race.generation }
            return (race.raceId, wanted, race.generation, cached, racerId.flatMap { race.slots[$0] })
        }
        guard let lookup, (1...raceLength).contains(lookup.second) else {
            return AllTimeView(
                classId: classId, raceId: lookup?.raceId, second: lookup?.second ?? 0, total: 0, leaders: [], racer: nil)
        }
        let standings = lookup.cached ?? buildAllTime(classId: classId, second: lookup.second, generation: lookup.generation)
        let entries = standings.entries
        var racer: Neighbourhood<AllTimeView.Entry>?
        if let racerId, let position = standings.position(ofRacer: racerId, slot: lookup.slot) {
            racer = Neighbourhood(position: position, in: entries)
        }
        return AllTimeView(
            classId: classId, raceId: standings.raceId, second: standings.second, total: entries.count,
            leaders: Array(entries.prefix(max(0, limit))), racer: racer)
    }

    private func buildAllTime(classId: Int, second: Int, generation: Int) -> AllTimeStandings {
        let table = state.withLock { $0.classes[classId - ExerciseClass.validIds.lowerBound].historyAtStart } ?? history(classId)
        let holders = table.records(atSecond: second).map { AllTimeStandings.Holder(racerId: $0.racerId, record: $0.output.doubleValue) }
        let gathered = state.withLock { state in
            let race = state.classes[classId - ExerciseClass.validIds.lowerBound]
            // A live rider appears once, with their live output.
            let others = holders.filter { !race.isLive(racerId: $0.racerId, atSecond: second) }
            return (race.raceId, race.liveOutputs(atSecond: second), others, race.racers.count)
        }
        var live = gathered.1
        for index in live.indices {
            live[index].record = table.best(racerId: live[index].racerId, second: second)?.doubleValue
        }
        let standings = AllTimeStandings(
            raceId: gathered.0, second: second, generation: generation, live: live, holders: gathered.2,
            slotCount: gathered.3)
        state.withLock { state in
            let index = classId - ExerciseClass.validIds.lowerBound
            guard state.classes[index].generation == generation else { return }
            state.classes[index].allTimeCache.append(standings)
            if state.classes[index].allTimeCache.count > ClassRace.allTimeCacheSize {
                state.classes[index].allTimeCache.removeFirst()
            }
        }
        return standings
    }

    /// A rider's outputs, latest and best in their class's current race.
    public func progress(classId: Int, racerId: Int) -> RacerProgress? {
        state.withLock { state in Self.race(classId, in: state)?.progress(racerId: racerId) }
    }

    private static func race(_ classId: Int, in state: State) -> ClassRace? {
        ExerciseClass.validIds.contains(classId) ? state.classes[classId - ExerciseClass.validIds.lowerBound] : nil
    }
}

extension RankingEngine.Sample {
    init(_ message: RaceMessage, arrivalMillis: Int64) {
        self.init(
            classId: message.classId, raceId: message.raceId, racerId: message.racerId, second: message.second,
            output: message.computedOutput, arrivalMillis: arrivalMillis)
    }
}
