/// What the merger, the HTTP routes and the query commands need of a store of race results
/// (design.md, contract 5): the merge of a batch, the ledger of merged objects, the queries
/// and the API keys. `RaceStore` (SQLite, the embedded default) is one; `PostgresStore`
/// (`--store postgres://…`) is the other, shared by workers on several machines.
///
/// Every implementation gives the same answers for the same commits: commits are idempotent
/// and order-independent, ties and ranks are broken the same way, and the errors are the same
/// `RaceStoreError` and `APIKeyError` values.
public protocol ResultStore: AnyObject, Sendable {
    /// Merges `batch` in one transaction (see `RaceStore.commit`).
    func commit(_ batch: MergeBatch) throws
    func isMerged(objectKey: String) throws -> Bool
    func mergedObjectKeys() throws -> Set<String>
    /// The void audit, oldest first (the merger keeps voided results out).
    func voids() throws -> [VoidRecord]

    func leaderboard(classId: Int, by measure: Measure, limit: Int) throws -> [LeaderboardEntry]
    func racerRecords(racerId: Int) throws -> [Measure: [Int: LeaderboardEntry]]
    func races(classId: Int, limit: Int?) throws -> [RaceSummary]
    func results(raceId: Int64) throws -> [RacerRaceResult]
    func result(raceId: Int64, classId: Int, racerId: Int) throws -> RacerRaceResult?
    func racerResults(racerId: Int) throws -> [RacerRaceResult]
    func raceExists(raceId: Int64) throws -> Bool
    func racerExists(racerId: Int) throws -> Bool

    func createAPIKey(
        name: String, secret: String, requestsPerSecond: Int, burst: Int, bytesPerSecond: Int,
        sealedSigningSecret: [UInt8]?, nowMillis: Int64
    ) throws -> APIKey
    func apiKeys() throws -> [APIKey]
    func revokeAPIKey(_ nameOrId: String, nowMillis: Int64) throws -> APIKey
    func apiKeysByHash() throws -> [String: APIKey]
}

extension ResultStore {
    public func races(classId: Int) throws -> [RaceSummary] {
        try races(classId: classId, limit: nil)
    }

    /// A key with the default byte budget (and, without `sealedSigningSecret`, no SigV4 secret).
    public func createAPIKey(
        name: String, secret: String, requestsPerSecond: Int, burst: Int, sealedSigningSecret: [UInt8]? = nil, nowMillis: Int64
    ) throws -> APIKey {
        try createAPIKey(
            name: name, secret: secret, requestsPerSecond: requestsPerSecond, burst: burst, bytesPerSecond: APIKey.defaultBytesPerSecond,
            sealedSigningSecret: sealedSigningSecret, nowMillis: nowMillis)
    }

    public func createAPIKey(
        name: String, secret: String, requestsPerSecond: Int, burst: Int, bytesPerSecond: Int, nowMillis: Int64
    ) throws -> APIKey {
        try createAPIKey(
            name: name, secret: secret, requestsPerSecond: requestsPerSecond, burst: burst, bytesPerSecond: bytesPerSecond,
            sealedSigningSecret: nil, nowMillis: nowMillis)
    }
}

extension RaceStore: ResultStore {}
