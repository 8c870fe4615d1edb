import Foundation
import GRDB
import Testing
@testable import RaceStore

// Fixed secrets, so stored rows and hashes are exact (their SHA-256 from `sha256sum`).
private let benchSecret = "ACBENCHKEY234567ABCDEFGHIJKLMNOP"
private let benchHash = "6b9c3abff32d055044c4417531cb50ac2698aa4d84a09c66d96823fbd6f88376"
private let ingestSecret = "ACINGESTKEY7654ZYXWVUTSRQPONMLKJ"
private let ingestHash = "1a635c49153f01a29393baa2912bbddc3871330793a33f7c787230d7114e6155"
private let createdMillis: Int64 = 1_700_000_000_000
private let revokedMillis: Int64 = 1_700_000_060_000

private let bench = APIKey(
    id: 1, name: "bench", prefix: "ACBENC", requestsPerSecond: 100, burst: 200, createdMillis: createdMillis)
private let ingest = APIKey(
    id: 2, name: "ingest.eu-1_b", prefix: "ACINGE", requestsPerSecond: 5000, burst: 1, createdMillis: createdMillis + 1)

/// A store holding `bench` and `ingest`, both active.
private func storeWithTwoKeys() throws -> RaceStore {
    let store = try RaceStore.inMemory()
    _ = try store.createAPIKey(name: "bench", secret: benchSecret, requestsPerSecond: 100, burst: 200, nowMillis: createdMillis)
    _ = try store.createAPIKey(name: "ingest.eu-1_b", secret: ingestSecret, requestsPerSecond: 5000, burst: 1, nowMillis: createdMillis + 1)
    return store
}

private func message(_ body: () throws -> Void) -> String? {
    #expect(throws: APIKeyError.self) { try body() }?.description
}

@Test func apiKeysAreCreatedListedAndRevoked() throws {
    let store = try RaceStore.inMemory()
    #expect(try store.apiKeys() == [])
    #expect(try store.createAPIKey(name: "bench", secret: benchSecret, requestsPerSecond: 100, burst: 200, nowMillis: createdMillis) == bench)
    // A burst below the rate is allowed.
    #expect(try store.createAPIKey(name: "ingest.eu-1_b", secret: ingestSecret, requestsPerSecond: 5000, burst: 1, nowMillis: createdMillis + 1) == ingest)
    #expect(try store.apiKeys() == [bench, ingest])

    var revokedBench = bench
    revokedBench.revokedMillis = revokedMillis
    let revoked = try store.revokeAPIKey("bench", nowMillis: revokedMillis)
    #expect(revoked == revokedBench)
    #expect(revoked.isRevoked)
    #expect(!ingest.isRevoked)
    #expect(try store.apiKeys() == [revokedBench, ingest])
}

@Test func onlyTheKeysHashIsStored() throws {
    let store = try storeWithTwoKeys()
    let rows = try store.database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY id") }
    #expect(rows == [
        ["id": 1, "name": "bench", "keyHash": benchHash, "prefix": "ACBENC", "requestsPerSecond": 100, "burst": 200,
         "createdMillis": createdMillis, "revokedMillis": nil, "bytesPerSecond": 268_435_456, "secretSealed": nil],
        ["id": 2, "name": "ingest.eu-1_b", "keyHash": ingestHash, "prefix": "ACINGE", "requestsPerSecond": 5000, "burst": 1,
         "createdMillis": createdMillis + 1, "revokedMillis": nil, "bytesPerSecond": 268_435_456, "secretSealed": nil],
    ])
    #expect(APIKeySecret.hash(benchSecret) == benchHash)
    for row in rows {
        for value in row.databaseValues {
            let text = String(describing: value)
            // Nothing past the 6 characters of the prefix, anywhere.
            #expect(!text.contains(benchSecret.dropFirst(6)) && !text.contains(ingestSecret.dropFirst(6)), "\(text)")
        }
    }
}

@Test func apiKeysByHashHoldsEveryKey() throws {
    let store = try storeWithTwoKeys()
    #expect(try store.apiKeysByHash() == [benchHash: bench, ingestHash: ingest])
    let revoked = try store.revokeAPIKey("1", nowMillis: revokedMillis)
    #expect(try store.apiKeysByHash() == [benchHash: revoked, ingestHash: ingest])
    #expect(try store.apiKeysByHash()[APIKeySecret.hash(benchSecret)]?.isRevoked == true)
}

@Test func revokeTakesANameOrAnId() throws {
    let store = try storeWithTwoKeys()
    var revokedIngest = ingest
    revokedIngest.revokedMillis = revokedMillis
    #expect(try store.revokeAPIKey("2", nowMillis: revokedMillis) == revokedIngest)
    #expect(try store.apiKeys().map(\.isRevoked) == [false, true])

    #expect(message { _ = try store.revokeAPIKey("nobody", nowMillis: revokedMillis) }
        == "no API key named or numbered 'nobody': 'alleycat keys list' shows them")
    #expect(message { _ = try store.revokeAPIKey("3", nowMillis: revokedMillis) }
        == "no API key named or numbered '3': 'alleycat keys list' shows them")
    #expect(message { _ = try store.revokeAPIKey("ingest.eu-1_b", nowMillis: revokedMillis + 1) }
        == "API key 'ingest.eu-1_b' was already revoked")
    #expect(message { _ = try store.revokeAPIKey("2", nowMillis: revokedMillis + 1) }
        == "API key 'ingest.eu-1_b' was already revoked")
    // A failed revoke keeps the first revocation time.
    #expect(try store.apiKeys() == [bench, revokedIngest])
}

@Test func namesStayTakenAfterRevocation() throws {
    let store = try storeWithTwoKeys()
    let taken = "API key name 'bench' is taken: choose another --name"
    #expect(message { _ = try store.createAPIKey(name: "bench", secret: "ACOTHER", requestsPerSecond: 1, burst: 1, nowMillis: 0) } == taken)
    _ = try store.revokeAPIKey("bench", nowMillis: revokedMillis)
    #expect(message { _ = try store.createAPIKey(name: "bench", secret: "ACOTHER", requestsPerSecond: 1, burst: 1, nowMillis: 0) } == taken)
    #expect(try store.apiKeys().count == 2)
}

@Test func invalidNamesAndPlansAreRefused() throws {
    let store = try RaceStore.inMemory()
    func create(_ name: String, rate: Int = 100, burst: Int = 200, secret: String = benchSecret) -> String? {
        message { _ = try store.createAPIKey(name: name, secret: secret, requestsPerSecond: rate, burst: burst, nowMillis: 0) }
    }
    #expect(create("") == "API key name '' is not valid: use 1 to 64 characters of letters, digits, '-', '_' or '.'")
    #expect(create("my key") == "API key name 'my key' is not valid: use 1 to 64 characters of letters, digits, '-', '_' or '.'")
    #expect(create("café") == "API key name 'café' is not valid: use 1 to 64 characters of letters, digits, '-', '_' or '.'")
    #expect(create(String(repeating: "k", count: 65)) == "API key name '\(String(repeating: "k", count: 65))' is not valid: use 1 to 64 characters of letters, digits, '-', '_' or '.'")
    #expect(create("42") == "API key name '42' is a number, which 'alleycat keys revoke' reads as an id: use a name with a letter")
    #expect(create("bench", rate: 0) == "API key rate is 0 requests/s, must be 1 to 1000000 (--rate)")
    #expect(create("bench", rate: 1_000_001) == "API key rate is 1000001 requests/s, must be 1 to 1000000 (--rate)")
    #expect(create("bench", burst: 0) == "API key burst is 0, must be 1 to 1000000 (--burst)")
    #expect(create("bench", burst: -5) == "API key burst is -5, must be 1 to 1000000 (--burst)")
    #expect(create("bench", secret: "") == "API key is empty: make one with APIKeySecret.generate()")
    #expect(try store.apiKeys() == [])

    let longest = String(repeating: "k", count: 64)
    let edges = try store.createAPIKey(name: longest, secret: benchSecret, requestsPerSecond: 1_000_000, burst: 1_000_000, nowMillis: 0)
    #expect(edges == APIKey(id: 1, name: longest, prefix: "ACBENC", requestsPerSecond: 1_000_000, burst: 1_000_000, createdMillis: 0))
}

@Test func secretsHashToLowercaseHexSHA256() {
    #expect(APIKeySecret.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(APIKeySecret.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(APIKeySecret.hash(ingestSecret) == ingestHash)
}

@Test func generatedSecretsAreBase32AccessKeyIds() {
    let secrets = (0..<100).map { _ in APIKeySecret.generate() }
    for secret in secrets {
        #expect(secret.wholeMatch(of: /AC[A-Z2-7]{30}/) != nil, "\(secret)")
        #expect(secret.count == 32)
    }
    #expect(Set(secrets).count == 100)
}

@Test func aVersion1StoreGainsTheKeysTable() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("racestore-v1-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("alleycat.sqlite").path
    do {
        let pool = try DatabasePool(path: path)
        try RaceStore.migrator.migrate(pool, upTo: "v1")
        try pool.write { db in
            try db.execute(sql: "INSERT INTO merged_objects (key, mergedAt) VALUES ('k1', 1)")
        }
    }
    let store = try RaceStore(path: path)
    #expect(try store.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5"])
    #expect(try store.mergedObjectKeys() == ["k1"])
    #expect(try store.apiKeys() == [])
    #expect(try store.createAPIKey(name: "bench", secret: benchSecret, requestsPerSecond: 100, burst: 200, nowMillis: createdMillis) == bench)
}

@Test func aKeysSigningSecretIsStoredSealedAndOpensOnlyForItsKey() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("racestore-seal-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let seal = try APISecretSeal(keyFile: directory + "/secret.key")
    let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/secret.key")
    #expect(attributes[.posixPermissions] as? Int == 0o600 && attributes[.size] as? Int == 32)
    // A second opening reads the same key: what one sealed, the other opens.
    let again = try APISecretSeal(keyFile: directory + "/secret.key")
    let signingSecret = APIKeySecret.generateSigningSecret()
    #expect(signingSecret.wholeMatch(of: /[A-Za-z0-9+\/]{40}/) != nil, "\(signingSecret)")
    let sealed = seal.seal(signingSecret, keyHash: benchHash)
    #expect(sealed.count == 12 + 40 + 16)  // nonce, ciphertext, tag
    #expect(again.open(sealed, keyHash: benchHash) == signingSecret)
    // Bound to its key's hash, and to this seal's key.
    #expect(again.open(sealed, keyHash: ingestHash) == nil)
    var flipped = sealed
    flipped[20] ^= 1
    #expect(again.open(flipped, keyHash: benchHash) == nil)
    let otherDirectory = directory + "/other"
    try FileManager.default.createDirectory(atPath: otherDirectory, withIntermediateDirectories: true)
    #expect(try APISecretSeal(keyFile: otherDirectory + "/secret.key").open(sealed, keyHash: benchHash) == nil)

    let store = try RaceStore(path: directory + "/alleycat.sqlite")
    let created = try store.createAPIKey(
        name: "bench", secret: benchSecret, requestsPerSecond: 100, burst: 200, sealedSigningSecret: sealed, nowMillis: createdMillis)
    #expect(created.sealedSigningSecret == sealed)
    #expect(try store.apiKeysByHash()[benchHash]?.sealedSigningSecret == sealed)
    // Neither the database nor its write-ahead log holds the secret as text.
    for file in ["alleycat.sqlite", "alleycat.sqlite-wal"] {
        let raw = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(file)"))
        #expect(raw.range(of: sealed.withUnsafeBytes { Data($0) }) != nil || file == "alleycat.sqlite")
        #expect(raw.range(of: Data(signingSecret.utf8)) == nil)
    }

    // A key file of the wrong size is refused with what to do.
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: otherDirectory + "/short.key"))
    #expect(throws: APISecretSeal.Failure(description: "\(otherDirectory)/short.key holds 3 bytes where the key that seals API key secrets has 32: restore it from a backup; without it, create new keys with 'alleycat keys create'")) {
        try APISecretSeal(keyFile: otherDirectory + "/short.key")
    }
}
