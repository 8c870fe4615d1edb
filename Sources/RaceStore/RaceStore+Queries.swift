import GRDB

extension RaceStore {
    /// Each racer's best race in `classId` under `measure`, best first; equal
    /// values are ordered by racer id. Ranks number the positions 1, 2, 3, …
    /// (a tie does not share a rank). A `limit` of 0 or less gives no entries.
    public func leaderboard(classId: Int, by measure: Measure, limit: Int) throws -> [LeaderboardEntry] {
        guard limit > 0 else { return [] }
        return try database.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT c.racerId, r.name, c.raceId, c.value
                FROM class_records c JOIN racers r ON r.racerId = c.racerId
                WHERE c.classId = ? AND c.measure = ?
                ORDER BY c.value DESC, c.racerId ASC
                LIMIT ?
                """), arguments: [classId, measure.rawValue, limit])
            var entries: [LeaderboardEntry] = []
            while let row = try rows.next() {
                entries.append(LeaderboardEntry(
                    rank: entries.count + 1, racerId: row[0], name: row[1], raceId: row[2], value: row[3]))
            }
            return entries
        }
    }

    /// A racer's records: for each measure, class id → the racer's entry on that
    /// class leaderboard, with the rank it has there. Measures and classes in which
    /// the racer has no record are absent.
    public func racerRecords(racerId: Int) throws -> [Measure: [Int: LeaderboardEntry]] {
        try database.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT c.classId, c.measure, c.raceId, c.value, r.name,
                       1 + (SELECT COUNT(*) FROM class_records o
                            WHERE o.classId = c.classId AND o.measure = c.measure
                              AND (o.value > c.value OR (o.value = c.value AND o.racerId < c.racerId)))
                FROM class_records c JOIN racers r ON r.racerId = c.racerId
                WHERE c.racerId = ?
                """), arguments: [racerId])
            var records: [Measure: [Int: LeaderboardEntry]] = [:]
            while let row = try rows.next() {
                guard let measure = Measure(rawValue: row[1]) else { continue }
                records[measure, default: [:]][row[0]] = LeaderboardEntry(
                    rank: row[5], racerId: racerId, name: row[4], raceId: row[2], value: row[3])
            }
            return records
        }
    }

    /// The races of a class, newest (highest race id) first.
    public func races(classId: Int, limit: Int? = nil) throws -> [RaceSummary] {
        try database.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT raceId, classId, startMillis, status, racerCount
                FROM races WHERE classId = ? ORDER BY raceId DESC LIMIT ?
                """), arguments: [classId, limit ?? -1])
            var races: [RaceSummary] = []
            while let row = try rows.next() {
                races.append(RaceSummary(
                    raceId: row[0], classId: row[1], startMillis: row[2],
                    status: RaceStatus(rawValue: row[3]) ?? .running, racerCount: row[4]))
            }
            return races
        }
    }

    /// Every racer's result in race `raceId`, all classes: by class, then total
    /// output descending, then racer id.
    public func results(raceId: Int64) throws -> [RacerRaceResult] {
        try fetchResults(classes: "raceId = ?", orderBy: "r.classId, k.rank", arguments: [raceId])
    }

    public func result(raceId: Int64, classId: Int, racerId: Int) throws -> RacerRaceResult? {
        try fetchResults(
            classes: "raceId = ? AND classId = ?", where: "k.racerId = ?", orderBy: "k.rank", arguments: [raceId, classId, racerId]
        ).first
    }

    /// A racer's results in every race and class, newest race first.
    public func racerResults(racerId: Int) throws -> [RacerRaceResult] {
        try fetchResults(
            classes: "(raceId, classId) IN (SELECT raceId, classId FROM race_results WHERE racerId = ?)", where: "k.racerId = ?",
            orderBy: "r.raceId DESC, r.classId", arguments: [racerId, racerId])
    }

    /// Whether race `raceId` has results in any class.
    public func raceExists(raceId: Int64) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM races WHERE raceId = ?)"),
                arguments: [raceId]) ?? false
        }
    }

    public func racerExists(racerId: Int) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM racers WHERE racerId = ?)"),
                arguments: [racerId]) ?? false
        }
    }

    /// The results `filter` picks (all when nil) among the race classes `classes` picks, each
    /// ranked in its race class (on the key columns alone, so no series goes through the sort).
    private func fetchResults(
        classes: String, where filter: String? = nil, orderBy order: String, arguments: StatementArguments
    ) throws -> [RacerRaceResult] {
        try database.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT r.raceId, r.classId, r.racerId, r.name, r.finalOutput, r.bestOutput, r.totalOutput,
                       r.secondsReported, r.finalSecond, r.series, k.rank
                FROM (SELECT raceId, classId, racerId,
                             ROW_NUMBER() OVER (PARTITION BY raceId, classId ORDER BY totalOutput DESC, racerId) AS rank
                      FROM race_results WHERE \(classes)) k
                JOIN race_results r ON r.raceId = k.raceId AND r.classId = k.classId AND r.racerId = k.racerId
                \(filter.map { "WHERE \($0)" } ?? "") ORDER BY \(order)
                """), arguments: arguments)
            var results: [RacerRaceResult] = []
            while let row = try rows.next() {
                let key = RaceKey(raceId: row[0], classId: row[1])
                let racerId: Int = row[2]
                let outputs = try row.withUnsafeData(atIndex: 9) { data in data.flatMap(SeriesBlob.decode) }
                guard let outputs else {
                    let byteCount = try row.withUnsafeData(atIndex: 9) { $0?.count ?? 0 }
                    throw RaceStoreError.corruptSeries(key: key, racerId: racerId, byteCount: byteCount)
                }
                results.append(RacerRaceResult(
                    raceId: key.raceId, classId: key.classId, rank: row[10], racerId: racerId, name: row[3],
                    finalOutput: row[4], bestOutput: row[5], totalOutput: row[6],
                    secondsReported: row[7], finalSecond: row[8],
                    series: outputs.map { $0.isNaN ? nil : $0 }))
            }
            return results
        }
    }
}
