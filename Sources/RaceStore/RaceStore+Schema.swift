import GRDB

extension RaceStore {
    /// Migrations are append-only: never edit a shipped one, register "v2" etc.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE races (
                    raceId      INTEGER NOT NULL,
                    classId     INTEGER NOT NULL,
                    startMillis INTEGER NOT NULL,
                    status      TEXT    NOT NULL CHECK (status IN ('running', 'finished')),
                    racerCount  INTEGER NOT NULL,
                    PRIMARY KEY (raceId, classId)
                ) WITHOUT ROWID;
                CREATE INDEX races_by_class ON races (classId, raceId);

                -- A rowid table on purpose: rows carry a 2.4 kB series, too wide for WITHOUT ROWID.
                CREATE TABLE race_results (
                    raceId          INTEGER NOT NULL,
                    classId         INTEGER NOT NULL,
                    racerId         INTEGER NOT NULL,
                    name            TEXT    NOT NULL,
                    finalOutput     REAL,
                    bestOutput      REAL    NOT NULL,
                    totalOutput     REAL    NOT NULL,
                    secondsReported INTEGER NOT NULL,
                    finalSecond     INTEGER,
                    series          BLOB    NOT NULL,
                    PRIMARY KEY (raceId, classId, racerId)
                );
                CREATE INDEX race_results_by_racer ON race_results (racerId, raceId);

                CREATE TABLE racers (
                    racerId    INTEGER PRIMARY KEY,
                    name       TEXT    NOT NULL,
                    lastRaceId INTEGER NOT NULL
                );

                CREATE TABLE class_records (
                    racerId INTEGER NOT NULL,
                    classId INTEGER NOT NULL,
                    measure TEXT    NOT NULL CHECK (measure IN ('total', 'best', 'final')),
                    raceId  INTEGER NOT NULL,
                    value   REAL    NOT NULL,
                    PRIMARY KEY (racerId, classId, measure)
                ) WITHOUT ROWID;
                CREATE INDEX class_records_by_value ON class_records (classId, measure, value DESC, racerId);

                CREATE TABLE merged_objects (
                    key      TEXT    PRIMARY KEY,
                    mergedAt INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2") { db in
            // Only a key's SHA-256 is kept (APIKeySecret.hash): the key is shown once, when created.
            try db.execute(sql: """
                CREATE TABLE api_keys (
                    id                INTEGER PRIMARY KEY,
                    name              TEXT    NOT NULL UNIQUE,
                    keyHash           TEXT    NOT NULL UNIQUE,
                    prefix            TEXT    NOT NULL,
                    requestsPerSecond INTEGER NOT NULL,
                    burst             INTEGER NOT NULL,
                    createdMillis     INTEGER NOT NULL,
                    revokedMillis     INTEGER
                );
                """)
        }
        migrator.registerMigration("v3") { db in
            // A byte budget per key beside its request rate (existing keys get the default).
            try db.execute(sql: "ALTER TABLE api_keys ADD COLUMN bytesPerSecond INTEGER NOT NULL DEFAULT \(APIKey.defaultBytesPerSecond)")
        }
        migrator.registerMigration("v4") { db in
            // A key's SigV4 secret, sealed with DATA/secret.key (APISecretSeal); older keys have none.
            try db.execute(sql: "ALTER TABLE api_keys ADD COLUMN secretSealed BLOB")
        }
        migrator.registerMigration("v5") { db in
            // Voided results (`alleycat void`): the audit of every void, and the rows it took out
            // of race_results and races, kept as they were so `--undo` puts them back.
            try db.execute(sql: """
                CREATE TABLE voids (
                    id           INTEGER PRIMARY KEY,
                    raceId       INTEGER NOT NULL,
                    classId      INTEGER,
                    racerId      INTEGER,
                    reason       TEXT    NOT NULL,
                    voidedMillis INTEGER NOT NULL,
                    undoneMillis INTEGER,
                    results      INTEGER NOT NULL
                );
                CREATE TABLE voided_results (
                    voidId          INTEGER NOT NULL REFERENCES voids (id),
                    raceId          INTEGER NOT NULL,
                    classId         INTEGER NOT NULL,
                    racerId         INTEGER NOT NULL,
                    name            TEXT    NOT NULL,
                    finalOutput     REAL,
                    bestOutput      REAL    NOT NULL,
                    totalOutput     REAL    NOT NULL,
                    secondsReported INTEGER NOT NULL,
                    finalSecond     INTEGER,
                    series          BLOB    NOT NULL,
                    PRIMARY KEY (raceId, classId, racerId)
                );
                CREATE TABLE voided_races (
                    voidId      INTEGER NOT NULL REFERENCES voids (id),
                    raceId      INTEGER NOT NULL,
                    classId     INTEGER NOT NULL,
                    startMillis INTEGER NOT NULL,
                    status      TEXT    NOT NULL,
                    racerCount  INTEGER NOT NULL,
                    PRIMARY KEY (raceId, classId)
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }()
}
