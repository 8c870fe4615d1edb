import Foundation
import GRDB

extension RaceStore {
    /// Stores a new key's hash, plan and sealed SigV4 secret (`APISecretSeal.seal`). Names
    /// are unique. Returns the stored record.
    public func createAPIKey(
        name: String, secret: String, requestsPerSecond: Int, burst: Int, bytesPerSecond: Int = APIKey.defaultBytesPerSecond,
        sealedSigningSecret: [UInt8]? = nil, nowMillis: Int64
    ) throws -> APIKey {
        try APIKey.validate(name: name, requestsPerSecond: requestsPerSecond, burst: burst, bytesPerSecond: bytesPerSecond)
        guard !secret.isEmpty else { throw APIKeyError.emptySecret }
        return try database.write { db in
            // Names of revoked keys stay taken, so a name in an old log always means one key.
            let taken = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM api_keys WHERE name = ?)", arguments: [name]) ?? false
            guard !taken else { throw APIKeyError.nameTaken(name) }
            let prefix = String(secret.prefix(APIKey.prefixLength))
            try db.execute(
                sql: """
                    INSERT INTO api_keys (name, keyHash, prefix, requestsPerSecond, burst, bytesPerSecond, createdMillis, secretSealed)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    name, APIKeySecret.hash(secret), prefix, requestsPerSecond, burst, bytesPerSecond, nowMillis,
                    sealedSigningSecret.map { Data($0) },
                ])
            return APIKey(
                id: db.lastInsertedRowID, name: name, prefix: prefix,
                requestsPerSecond: requestsPerSecond, burst: burst, bytesPerSecond: bytesPerSecond, createdMillis: nowMillis,
                sealedSigningSecret: sealedSigningSecret)
        }
    }

    /// All keys, revoked ones too, by id.
    public func apiKeys() throws -> [APIKey] {
        try database.read { db in
            try fetchAPIKeys(db, where: "1 ORDER BY id").map(\.key)
        }
    }

    /// Revokes the key with this name, or this id when `nameOrId` is a number. Throws when there is none or it is already revoked.
    public func revokeAPIKey(_ nameOrId: String, nowMillis: Int64) throws -> APIKey {
        try database.write { db in
            let found = if let id = Int64(nameOrId) {
                try fetchAPIKeys(db, where: "id = ?", arguments: [id]).first
            } else {
                try fetchAPIKeys(db, where: "name = ?", arguments: [nameOrId]).first
            }
            guard var key = found?.key else { throw APIKeyError.notFound(nameOrId) }
            guard !key.isRevoked else { throw APIKeyError.alreadyRevoked(key.name) }
            try db.execute(sql: "UPDATE api_keys SET revokedMillis = ? WHERE id = ?", arguments: [nowMillis, key.id])
            key.revokedMillis = nowMillis
            return key
        }
    }

    /// Every key by its hash, for the service's in-memory key ring (reloaded about once a second).
    public func apiKeysByHash() throws -> [String: APIKey] {
        try database.read { db in
            Dictionary(uniqueKeysWithValues: try fetchAPIKeys(db, where: "1").map { ($0.hash, $0.key) })
        }
    }

    private func fetchAPIKeys(
        _ db: Database, where clause: String, arguments: StatementArguments = []
    ) throws -> [(key: APIKey, hash: String)] {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT id, name, prefix, requestsPerSecond, burst, createdMillis, revokedMillis, keyHash, bytesPerSecond, secretSealed
            FROM api_keys WHERE \(clause)
            """), arguments: arguments)
        var keys: [(key: APIKey, hash: String)] = []
        while let row = try rows.next() {
            keys.append((
                APIKey(
                    id: row[0], name: row[1], prefix: row[2], requestsPerSecond: row[3], burst: row[4],
                    bytesPerSecond: row[8], createdMillis: row[5], revokedMillis: row[6],
                    sealedSigningSecret: (row[9] as Data?).map { Array($0) }),
                row[7]))
        }
        return keys
    }
}

extension RaceStore {
    /// Copies keys (by hash, with their ids and plans) into this store: `alleycat repair
    /// --store` keeps the keys of a damaged store that can still be read.
    public func importAPIKeys(_ byHash: [String: APIKey]) throws {
        try database.write { db in
            for (hash, key) in byHash.sorted(by: { $0.value.id < $1.value.id }) {
                try db.execute(
                    sql: """
                        INSERT INTO api_keys (id, name, keyHash, prefix, requestsPerSecond, burst, bytesPerSecond, createdMillis, revokedMillis, secretSealed)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        key.id, key.name, hash, key.prefix, key.requestsPerSecond, key.burst, key.bytesPerSecond, key.createdMillis,
                        key.revokedMillis, key.sealedSigningSecret.map { Data($0) },
                    ])
            }
        }
    }
}
