import GRDB

/// The work of one `RaceStore.commit(_:)` inside its write transaction.
///
/// Per race, the batch's racers' stored rows are read in one statement, each
/// changed racer's row is written with one statement, and the class records and
/// racer names are then updated with one statement per measure, each driven by a
/// JSON array of the written rows' rowids (`json_each`). All SQL is compiled once
/// per connection (`cachedStatement`).
struct MergeTransaction {
    private let db: Database

    init(_ db: Database) {
        self.db = db
    }

    func merge(_ key: RaceKey, racers: [Int: RacerSamples]) throws {
        try validate(key, racers: racers)
        var stored = try storedResults(key, racerIds: racers.keys)
        var startMillis = Int64.max
        var finished = false
        var changes = RecordChanges()

        for (racerId, racer) in racers {
            let previous = stored.removeValue(forKey: racerId)
            var series = previous?.series ?? MergedSeries()
            var changed = false
            for sample in racer.samples {
                if series.merge(sample) { changed = true }
            }
            guard !series.outputs.isEmpty else { continue }
            startMillis = min(startMillis, racer.firstDeviceTimestamp)
            finished = finished || series.finalSecond != nil
            if let previous, !changed, previous.name == racer.name { continue }

            let aggregates = series.aggregates
            let rowID = try writeResult(key, racerId: racerId, name: racer.name, series: series,
                                        aggregates: aggregates, rowID: previous?.rowID)
            if previous?.name != racer.name { changes.named.append(rowID) }
            for measure in Measure.allCases {
                guard let value = aggregates.value(of: measure) else { continue }
                switch previous?.aggregates.value(of: measure) {
                case let old? where value == old: break
                case let old? where value < old: changes.lowered[measure, default: []].append(racerId)
                default: changes.raised[measure, default: []].append(rowID)
                }
            }
        }
        guard startMillis != .max else { return }

        try apply(changes, classId: key.classId)
        try db.cachedStatement(sql: Self.upsertRaceSQL).execute(arguments: [
            key.raceId, key.classId, startMillis, (finished ? RaceStatus.finished : .running).rawValue,
        ])
    }

    func recordMerged(objectKey: String, at mergedAtMillis: Int64) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO merged_objects (key, mergedAt) VALUES (?, ?)")
            .execute(arguments: [objectKey, mergedAtMillis])
    }

    /// What the written result rows change outside `race_results`.
    private struct RecordChanges {
        /// Rowids of results whose racer is new or renamed.
        var named: [Int64] = []
        /// Rowids of results whose value went up (or appeared), by measure.
        var raised: [Measure: [Int64]] = [:]
        /// Racer ids whose value went down, by measure.
        var lowered: [Measure: [Int]] = [:]
    }

    private func validate(_ key: RaceKey, racers: [Int: RacerSamples]) throws {
        for (racerId, racer) in racers {
            for sample in racer.samples where !(1...SeriesBlob.maxSecond).contains(sample.second) {
                throw RaceStoreError.secondOutOfRange(key: key, racerId: racerId, second: sample.second)
            }
        }
    }

    private func apply(_ changes: RecordChanges, classId: Int) throws {
        for (measure, rowIDs) in changes.raised {
            try db.cachedStatement(sql: Self.raiseRecordsSQL(measure))
                .execute(arguments: [Self.jsonArray(rowIDs), measure.rawValue])
        }
        for (measure, racerIds) in changes.lowered {
            // Only when a later final second replaces the final output, or outputs
            // are negative: another race of the racer may hold the record now.
            for racerId in racerIds {
                try db.cachedStatement(sql: Self.recomputeRecordSQL(measure))
                    .execute(arguments: [racerId, classId, measure.rawValue])
            }
        }
        if !changes.named.isEmpty {
            try db.cachedStatement(sql: Self.upsertRacersSQL).execute(arguments: [Self.jsonArray(changes.named)])
        }
    }

    private struct StoredResult {
        var rowID: Int64
        var name: String
        var series: MergedSeries
        var aggregates: MergedSeries.Aggregates
    }

    private func storedResults(_ key: RaceKey, racerIds: some Collection<Int>) throws -> [Int: StoredResult] {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT r.racerId, r.series, r.finalSecond, r.finalOutput, r.bestOutput, r.totalOutput,
                   r.secondsReported, r.name, r.rowid
            FROM json_each(?3) AS j CROSS JOIN race_results AS r
            WHERE r.raceId = ?1 AND r.classId = ?2 AND r.racerId = j.value
            """), arguments: [key.raceId, key.classId, Self.jsonArray(racerIds)])
        var results: [Int: StoredResult] = [:]
        results.reserveCapacity(racerIds.count)
        while let row = try rows.next() {
            let racerId: Int = row[0]
            let outputs = try row.withUnsafeData(atIndex: 1) { data in data.flatMap(SeriesBlob.decode) }
            guard let outputs else {
                let byteCount = try row.withUnsafeData(atIndex: 1) { $0?.count ?? 0 }
                throw RaceStoreError.corruptSeries(key: key, racerId: racerId, byteCount: byteCount)
            }
            results[racerId] = StoredResult(
                rowID: row[8], name: row[7],
                series: MergedSeries(outputs: outputs, finalSecond: row[2]),
                aggregates: MergedSeries.Aggregates(
                    finalOutput: row[3], bestOutput: row[4], totalOutput: row[5], secondsReported: row[6]))
        }
        return results
    }

    private func writeResult(
        _ key: RaceKey, racerId: Int, name: String, series: MergedSeries,
        aggregates: MergedSeries.Aggregates, rowID: Int64?
    ) throws -> Int64 {
        let blob = SeriesBlob.encode(series.outputs)
        if let rowID {
            try db.cachedStatement(sql: Self.updateResultSQL).execute(arguments: [
                rowID, name, aggregates.finalOutput, aggregates.bestOutput, aggregates.totalOutput,
                aggregates.secondsReported, series.finalSecond, blob,
            ])
            return rowID
        } else {
            try db.cachedStatement(sql: Self.insertResultSQL).execute(arguments: [
                key.raceId, key.classId, racerId, name,
                aggregates.finalOutput, aggregates.bestOutput, aggregates.totalOutput,
                aggregates.secondsReported, series.finalSecond, blob,
            ])
            return db.lastInsertedRowID
        }
    }

    private static func jsonArray<Number: BinaryInteger>(_ numbers: some Sequence<Number>) -> String {
        "[" + numbers.map { String($0) }.joined(separator: ",") + "]"
    }

    private static let insertResultSQL = """
        INSERT INTO race_results
            (raceId, classId, racerId, name, finalOutput, bestOutput, totalOutput,
             secondsReported, finalSecond, series)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    private static let updateResultSQL = """
        UPDATE race_results
        SET name = ?2, finalOutput = ?3, bestOutput = ?4, totalOutput = ?5,
            secondsReported = ?6, finalSecond = ?7, series = ?8
        WHERE rowid = ?1
        """

    /// A race's value replaces a racer's record only when it is better; ties keep the earlier race.
    private static func raiseRecordsSQL(_ measure: Measure) -> String {
        """
        INSERT INTO class_records (racerId, classId, measure, raceId, value)
        SELECT r.racerId, r.classId, ?2, r.raceId, r.\(measure.column)
        FROM json_each(?1) AS j CROSS JOIN race_results AS r
        WHERE r.rowid = j.value
        ON CONFLICT (racerId, classId, measure) DO UPDATE
        SET raceId = excluded.raceId, value = excluded.value
        WHERE excluded.value > class_records.value
           OR (excluded.value = class_records.value AND excluded.raceId < class_records.raceId)
        """
    }

    private static func recomputeRecordSQL(_ measure: Measure) -> String {
        """
        INSERT OR REPLACE INTO class_records (racerId, classId, measure, raceId, value)
        SELECT racerId, classId, ?3, raceId, \(measure.column) FROM race_results
        WHERE racerId = ?1 AND classId = ?2 AND \(measure.column) IS NOT NULL
        ORDER BY \(measure.column) DESC, raceId ASC LIMIT 1
        """
    }

    /// The name of a racer's newest race wins, so replaying an old race does not
    /// bring back an old name.
    private static let upsertRacersSQL = """
        INSERT INTO racers (racerId, name, lastRaceId)
        SELECT r.racerId, r.name, r.raceId
        FROM json_each(?1) AS j CROSS JOIN race_results AS r
        WHERE r.rowid = j.value
        ON CONFLICT (racerId) DO UPDATE
        SET name = excluded.name, lastRaceId = excluded.lastRaceId
        WHERE excluded.lastRaceId >= racers.lastRaceId
        """

    private static let upsertRaceSQL = """
        INSERT INTO races (raceId, classId, startMillis, status, racerCount)
        VALUES (?1, ?2, ?3, ?4, (SELECT COUNT(*) FROM race_results WHERE raceId = ?1 AND classId = ?2))
        ON CONFLICT (raceId, classId) DO UPDATE
        SET startMillis = min(races.startMillis, excluded.startMillis),
            status = CASE WHEN excluded.status = 'finished' THEN 'finished' ELSE races.status END,
            racerCount = excluded.racerCount
        """
}
