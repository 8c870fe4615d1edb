import HistoryFile
import RaceModel

/// One class's current race: each rider's output by second, latest and best, and
/// the standings last published. Riders get a slot (0, 1, 2, ... in order of
/// arrival) so per-second data lives in flat arrays, not per-rider allocations.
struct ClassRace {
    struct Racer {
        var racerId: Int
        var latestSecond: Int
        var latestOutput: Double
        var best: Double
    }

    let classId: Int
    let raceLength: Int
    private(set) var raceId: Int64?
    /// Highest second reported by any rider of the race; 0 before the first.
    private(set) var currentSecond = 0
    private(set) var racers: [Racer] = []
    private(set) var slots: [Int: Int] = [:]
    /// Outputs by second (index second - 1), each indexed by slot, 4 bytes a cell.
    /// Column-major: a second's column fills as that second arrives, and the
    /// "All time" view reads one contiguous column.
    private var columns: [PackedDecimals]
    /// Set when this race publishes; nil between a new race's first message and its first publish.
    var published: HereNowStandings?
    /// Counts publishes and race starts, so cached "All time" rankings know when they are out of date.
    private(set) var generation = 0
    /// "All time" rankings built since the last publish, newest last.
    var allTimeCache: [AllTimeStandings] = []
    /// The class's history as it stood when this race started. "All time" compares
    /// against it, so a record set earlier in this same race (merged while the race
    /// runs) does not hide a `newRecord`.
    var historyAtStart: HistoryTable?
    /// Earliest stream arrival among records taken since the last publish (for the publish delay).
    var earliestUnpublishedArrival: Int64 = .max

    static let allTimeCacheSize = 4

    init(classId: Int, raceLength: Int) {
        self.classId = classId
        self.raceLength = raceLength
        columns = Array(repeating: PackedDecimals(), count: raceLength)
    }

    /// Forgets the previous race.
    mutating func start(raceId: Int64) {
        self.raceId = raceId
        currentSecond = 0
        racers = []
        slots = [:]
        columns = Array(repeating: PackedDecimals(), count: raceLength)
        published = nil
        generation += 1
        allTimeCache = []
        historyAtStart = nil
    }

    /// The rider's output at a second of this race, if it came.
    func output(racerId: Int, second: Int) -> DecimalNumber? {
        guard let slot = slots[racerId] else { return nil }
        return columns[second - 1][slot]
    }

    /// Records a rider's output at a second (1...raceLength). Returns whether the
    /// race's current second moved forward.
    mutating func record(racerId: Int, second: Int, output exact: DecimalNumber) -> Bool {
        let slot: Int
        if let existing = slots[racerId] {
            slot = existing
        } else {
            slot = racers.count
            slots[racerId] = slot
            racers.append(Racer(racerId: racerId, latestSecond: 0, latestOutput: 0, best: -.infinity))
        }
        let column = second - 1
        // Grow to every rider known now, so a column grows once per second, not once per rider.
        if columns[column].count <= slot { columns[column].reserveCells(racers.count) }
        let previous = columns[column][slot]?.doubleValue
        columns[column][slot] = exact
        let output = exact.doubleValue

        var racer = racers[slot]
        if second >= racer.latestSecond {
            racer.latestSecond = second
            racer.latestOutput = output
        }
        if output > racer.best {
            racer.best = output
        } else if let previous, previous == racer.best, output < previous {
            // A repeated message lowered the value that was the best: look again.
            racer.best = bestOutput(slot: slot)
        }
        racers[slot] = racer

        guard second > currentSecond else { return false }
        currentSecond = second
        return true
    }

    func output(slot: Int, second: Int) -> Double? {
        columns[second - 1][slot]?.doubleValue
    }

    private func bestOutput(slot: Int) -> Double {
        var best = -Double.infinity
        for column in columns {
            if let output = column[slot]?.doubleValue { best = max(best, output) }
        }
        return best
    }

    /// What the "Here now" sort needs from every rider.
    func standingKeys() -> [HereNowStandings.Key] {
        var keys: [HereNowStandings.Key] = []
        keys.reserveCapacity(racers.count)
        for (slot, racer) in racers.enumerated() {
            keys.append(HereNowStandings.Key(
                output: racer.latestOutput, best: racer.best, racerId: racer.racerId,
                second: Int32(racer.latestSecond), slot: Int32(slot)))
        }
        return keys
    }

    /// Installs standings sorted outside the lock, unless the race has moved on meanwhile.
    mutating func publish(_ standings: HereNowStandings) -> Bool {
        guard standings.raceId == raceId, standings.second >= (published?.second ?? 0) else { return false }
        published = standings
        generation += 1
        allTimeCache = []
        return true
    }

    /// Live outputs at `second`, each with the rider's slot.
    func liveOutputs(atSecond second: Int) -> [AllTimeStandings.Live] {
        guard (1...raceLength).contains(second) else { return [] }
        let column = columns[second - 1]
        var live: [AllTimeStandings.Live] = []
        live.reserveCapacity(column.count)
        for slot in 0..<column.count {
            guard let output = column[slot] else { continue }
            live.append(AllTimeStandings.Live(racerId: racers[slot].racerId, slot: Int32(slot), output: output.doubleValue, record: nil))
        }
        return live
    }

    /// Whether the racer has a live output at `second`.
    func isLive(racerId: Int, atSecond second: Int) -> Bool {
        guard let slot = slots[racerId] else { return false }
        return output(slot: slot, second: second) != nil
    }

    func progress(racerId: Int) -> RacerProgress? {
        guard let raceId, let slot = slots[racerId] else { return nil }
        let racer = racers[slot]
        return RacerProgress(
            racerId: racerId, classId: classId, raceId: raceId, latestSecond: racer.latestSecond,
            latestOutput: racer.latestOutput, best: racer.best,
            outputs: (1...racer.latestSecond).map { output(slot: slot, second: $0) })
    }
}
