import GRDB

/// What a void takes out: a race (every class, or one), or one racer's result in it.
public struct VoidScope: Sendable, Hashable, Codable, CustomStringConvertible {
    public var raceId: Int64
    /// Nil: every class the race ran in.
    public var classId: Int?
    /// Nil: every racer.
    public var racerId: Int?

    public init(raceId: Int64, classId: Int? = nil, racerId: Int? = nil) {
        self.raceId = raceId
        self.classId = classId
        self.racerId = racerId
    }

    public func covers(raceId: Int64, classId: Int, racerId: Int) -> Bool {
        raceId == self.raceId && (self.classId ?? classId) == classId && (self.racerId ?? racerId) == racerId
    }

    /// Whether some result could be in both.
    public func overlaps(_ other: VoidScope) -> Bool {
        raceId == other.raceId
            && (classId == nil || other.classId == nil || classId == other.classId)
            && (racerId == nil || other.racerId == nil || racerId == other.racerId)
    }

    public var description: String {
        let race = "race \(raceId)" + (classId.map { " class \($0)" } ?? "")
        return racerId.map { "racer \($0) in \(race)" } ?? race
    }
}

/// One line of the void audit (`voids` table).
public struct VoidRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var scope: VoidScope
    public var reason: String
    public var voidedMillis: Int64
    /// When `--undo` put the results back; nil while the void holds.
    public var undoneMillis: Int64?
    /// Result rows the void took out.
    public var results: Int

    public init(id: Int64, scope: VoidScope, reason: String, voidedMillis: Int64, undoneMillis: Int64?, results: Int) {
        self.id = id
        self.scope = scope
        self.reason = reason
        self.voidedMillis = voidedMillis
        self.undoneMillis = undoneMillis
        self.results = results
    }
}

/// A void or its undo, and the results it moved: class id → racer ids whose records
/// (history file, leaderboards) must be computed again.
public struct VoidChange: Sendable, Equatable {
    public var record: VoidRecord
    public var affected: [Int: Set<Int>]
}

/// Why a void or undo was refused; nothing was changed.
public enum VoidError: Error, Sendable, Equatable, CustomStringConvertible {
    case noResults(VoidScope)
    case overlaps(VoidScope, VoidRecord)
    case unknownVoid(Int64)
    case alreadyUndone(VoidRecord)
    case emptyReason

    public var description: String {
        switch self {
        case let .noResults(scope):
            "\(scope) has no results in the store: see `alleycat races --class N` and `alleycat results --race R`"
        case let .overlaps(scope, record):
            "\(scope) overlaps void #\(record.id) (\(record.scope), \"\(record.reason)\"), which holds: undo that one first (`alleycat void --undo \(record.id)`)"
        case let .unknownVoid(id):
            "there is no void #\(id): `alleycat void --list` shows them"
        case let .alreadyUndone(record):
            "void #\(record.id) (\(record.scope)) was undone already"
        case .emptyReason:
            "a void needs a reason (--reason TEXT): it is kept in the audit"
        }
    }
}

extension RaceStore {
    /// Takes the results in `scope` out of the results, races and leaderboards, keeping them
    /// (and the race rows emptied) for `undoVoid`, and writes the audit line. `id` is given
    /// when a void is applied again from the audit file (after `alleycat rebuild`).
    public func void(_ scope: VoidScope, reason: String, atMillis: Int64, id: Int64? = nil) throws -> VoidChange {
        guard !reason.allSatisfy(\.isWhitespace) else { throw VoidError.emptyReason }
        return try database.write { db in
            if let holding = try Self.voidRecords(db, where: "undoneMillis IS NULL").first(where: { $0.scope.overlaps(scope) }) {
                throw VoidError.overlaps(scope, holding)
            }
            try db.execute(
                sql: "INSERT INTO voids (id, raceId, classId, racerId, reason, voidedMillis, results) VALUES (?, ?, ?, ?, ?, ?, 0)",
                arguments: [id, scope.raceId, scope.classId, scope.racerId, reason, atMillis])
            let voidId = db.lastInsertedRowID
            let match = "raceId = ?1 AND (?2 IS NULL OR classId = ?2) AND (?3 IS NULL OR racerId = ?3)"
            let arguments: StatementArguments = [scope.raceId, scope.classId, scope.racerId]
            let affected = try Self.affected(db, sql: "SELECT classId, racerId FROM race_results WHERE \(match)", arguments: arguments)
            let count = affected.values.reduce(0) { $0 + $1.count }
            guard count > 0 else { throw VoidError.noResults(scope) }
            try db.execute(sql: """
                INSERT INTO voided_results
                SELECT ?4, raceId, classId, racerId, name, finalOutput, bestOutput, totalOutput, secondsReported, finalSecond, series
                FROM race_results WHERE \(match)
                """, arguments: arguments + [voidId])
            try db.execute(sql: "DELETE FROM race_results WHERE \(match)", arguments: arguments)
            for classId in affected.keys {
                try db.execute(sql: """
                    INSERT INTO voided_races
                    SELECT ?3, raceId, classId, startMillis, status, racerCount FROM races
                    WHERE raceId = ?1 AND classId = ?2
                      AND NOT EXISTS (SELECT 1 FROM race_results WHERE raceId = ?1 AND classId = ?2)
                    """, arguments: [scope.raceId, classId, voidId])
                try db.execute(sql: """
                    DELETE FROM races WHERE raceId = ?1 AND classId = ?2
                      AND NOT EXISTS (SELECT 1 FROM race_results WHERE raceId = ?1 AND classId = ?2)
                    """, arguments: [scope.raceId, classId])
            }
            try Self.refresh(db, raceId: scope.raceId, affected: affected)
            try db.execute(sql: "UPDATE voids SET results = ? WHERE id = ?", arguments: [count, voidId])
            let record = VoidRecord(id: voidId, scope: scope, reason: reason, voidedMillis: atMillis, undoneMillis: nil, results: count)
            return VoidChange(record: record, affected: affected)
        }
    }

    /// Puts back what void `id` took out, and marks it undone in the audit.
    public func undoVoid(id: Int64, atMillis: Int64) throws -> VoidChange {
        try database.write { db in
            guard var record = try Self.voidRecords(db, where: "id = \(id)").first else { throw VoidError.unknownVoid(id) }
            guard record.undoneMillis == nil else { throw VoidError.alreadyUndone(record) }
            let affected = try Self.affected(db, sql: "SELECT classId, racerId FROM voided_results WHERE voidId = ?", arguments: [id])
            try db.execute(sql: """
                INSERT INTO race_results
                    (raceId, classId, racerId, name, finalOutput, bestOutput, totalOutput, secondsReported, finalSecond, series)
                SELECT raceId, classId, racerId, name, finalOutput, bestOutput, totalOutput, secondsReported, finalSecond, series
                FROM voided_results WHERE voidId = ?
                """, arguments: [id])
            try db.execute(sql: """
                INSERT INTO races (raceId, classId, startMillis, status, racerCount)
                SELECT raceId, classId, startMillis, status, racerCount FROM voided_races WHERE voidId = ?
                """, arguments: [id])
            try db.execute(sql: "DELETE FROM voided_races WHERE voidId = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM voided_results WHERE voidId = ?", arguments: [id])
            try Self.refresh(db, raceId: record.scope.raceId, affected: affected)
            try db.execute(sql: "UPDATE voids SET undoneMillis = ? WHERE id = ?", arguments: [atMillis, id])
            record.undoneMillis = atMillis
            return VoidChange(record: record, affected: affected)
        }
    }

    /// Every void in the audit, oldest first.
    public func voids() throws -> [VoidRecord] {
        try database.read { db in try Self.voidRecords(db, where: "1") }
    }

    /// Adds audit lines as they were (an undone void from the audit file, after a rebuild).
    public func importVoidRecord(_ record: VoidRecord) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO voids (id, raceId, classId, racerId, reason, voidedMillis, undoneMillis, results) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [record.id, record.scope.raceId, record.scope.classId, record.scope.racerId, record.reason,
                            record.voidedMillis, record.undoneMillis, record.results])
        }
    }

    /// For each racer, the best output at each second over every race of the class the
    /// store holds (index second - 1, nil where no race has one): what the class's history
    /// file holds for them.
    public func bestSeries(classId: Int, racerIds: some Collection<Int>) throws -> [Int: [Double?]] {
        try database.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT r.racerId, r.series, r.raceId
                FROM json_each(?2) AS j CROSS JOIN race_results AS r
                WHERE r.classId = ?1 AND r.racerId = j.value
                """), arguments: [classId, "[" + racerIds.map(String.init).joined(separator: ",") + "]"])
            var best: [Int: [Double?]] = [:]
            while let row = try rows.next() {
                let racerId: Int = row[0]
                let outputs = try row.withUnsafeData(atIndex: 1) { data in data.flatMap(SeriesBlob.decode) }
                guard let outputs else {
                    let byteCount = try row.withUnsafeData(atIndex: 1) { $0?.count ?? 0 }
                    throw RaceStoreError.corruptSeries(key: RaceKey(raceId: row[2], classId: classId), racerId: racerId, byteCount: byteCount)
                }
                var series = best[racerId] ?? []
                if series.count < outputs.count { series.append(contentsOf: repeatElement(nil, count: outputs.count - series.count)) }
                for (index, output) in outputs.enumerated() where !output.isNaN {
                    if let current = series[index], current >= output { continue }
                    series[index] = output
                }
                best[racerId] = series
            }
            return best
        }
    }

    private static func voidRecords(_ db: Database, where clause: String) throws -> [VoidRecord] {
        try Row.fetchAll(db, sql: """
            SELECT id, raceId, classId, racerId, reason, voidedMillis, undoneMillis, results FROM voids WHERE \(clause) ORDER BY id
            """).map { row in
            VoidRecord(
                id: row[0], scope: VoidScope(raceId: row[1], classId: row[2], racerId: row[3]), reason: row[4],
                voidedMillis: row[5], undoneMillis: row[6], results: row[7])
        }
    }

    private static func affected(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Int: Set<Int>] {
        var affected: [Int: Set<Int>] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            affected[row[0], default: []].insert(row[1])
        }
        return affected
    }

    /// After results of `raceId` moved: its races' racer counts, and the affected racers'
    /// class records computed again from the results left (ties keep the earlier race).
    private static func refresh(_ db: Database, raceId: Int64, affected: [Int: Set<Int>]) throws {
        for (classId, racerIds) in affected {
            try db.execute(sql: """
                UPDATE races SET racerCount = (SELECT COUNT(*) FROM race_results WHERE raceId = ?1 AND classId = ?2)
                WHERE raceId = ?1 AND classId = ?2
                """, arguments: [raceId, classId])
            let racers = "[" + racerIds.sorted().map(String.init).joined(separator: ",") + "]"
            try db.execute(
                sql: "DELETE FROM class_records WHERE classId = ?1 AND racerId IN (SELECT value FROM json_each(?2))",
                arguments: [classId, racers])
            for measure in Measure.allCases {
                let column = measure.column
                try db.execute(sql: """
                    INSERT INTO class_records (racerId, classId, measure, raceId, value)
                    SELECT racerId, classId, ?3, raceId, \(column) FROM (
                        SELECT racerId, classId, raceId, \(column),
                               row_number() OVER (PARTITION BY racerId ORDER BY \(column) DESC, raceId ASC) AS position
                        FROM race_results
                        WHERE classId = ?1 AND racerId IN (SELECT value FROM json_each(?2)) AND \(column) IS NOT NULL
                    ) WHERE position = 1
                    """, arguments: [classId, racers, measure.rawValue])
            }
        }
    }
}
