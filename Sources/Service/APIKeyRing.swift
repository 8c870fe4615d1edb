import KinesisAPI
import RaceModel
import RaceStore
import Synchronization

/// Who may ingest, and how fast: the store's API keys, reloaded about once a second
/// (so `alleycat keys revoke` takes effect on a running service), each with a token
/// bucket of its plan's rate and burst on the service's clock. Only hashes are held.
public final class APIKeyRing: Sendable {
    let store: RaceStore
    let clock: any EpochClock
    let reloadMillis: Int64

    private struct Bucket {
        var tokens: Double
        var updatedMillis: Int64
    }

    private struct State {
        var keys: [String: APIKey] = [:]
        var loadedMillis: Int64?
        var buckets: [Int64: Bucket] = [:]
        var byteBuckets: [Int64: Bucket] = [:]
    }

    private let state = Mutex(State())

    public init(store: RaceStore, clock: any EpochClock, reloadMillis: Int64 = 1000) {
        self.store = store
        self.clock = clock
        self.reloadMillis = reloadMillis
    }

    /// The key a request carries: the `x-api-key` header, else the access key id of
    /// an AWS SigV4 `Authorization` header (`... Credential=<id>/<date>/...`). The
    /// signature is not checked: the key id is the credential, as with `x-api-key`.
    public static func presentedKey(apiKeyHeader: String?, authorization: String?) -> String? {
        if let key = apiKeyHeader, !key.isEmpty { return key }
        guard let authorization, let range = authorization.range(of: "Credential=") else { return nil }
        let id = authorization[range.upperBound...].prefix { $0 != "/" && $0 != "," && $0 != " " }
        return id.isEmpty ? nil : String(id)
    }

    /// The region of a SigV4 `Authorization` header's credential scope
    /// (`Credential=<id>/<date>/<region>/kinesis/aws4_request`), nil without one.
    public static func signingRegion(authorization: String?) -> String? {
        guard let authorization, let range = authorization.range(of: "Credential=") else { return nil }
        let scope = authorization[range.upperBound...].prefix { $0 != "," && $0 != " " }.split(separator: "/")
        return scope.count >= 3 && !scope[2].isEmpty ? String(scope[2]) : nil
    }

    /// Lets one request through, or says why not. A refused request takes no token.
    public func admit(_ presented: String?) throws(KinesisAPIError) -> APIKey {
        guard let presented else {
            throw .missingAuthenticationToken("Missing Authentication Token: send an API key as the x-api-key header or as the access key id of an AWS SDK ('alleycat keys create' makes one)")
        }
        let now = clock.nowMillis()
        try reloadIfDue(now)
        let hash = APIKeySecret.hash(presented)
        let outcome: Result<APIKey, KinesisAPIError> = state.withLock { state in
            guard let key = state.keys[hash] else {
                return .failure(.unrecognizedClient("The API key in the request is not one this service knows: check it, or create one with 'alleycat keys create'"))
            }
            if let revoked = key.revokedMillis {
                return .failure(.accessDenied("API key '\(key.name)' (\(key.prefix)…) was revoked at \(UTCTime(millis: revoked).iso): create a new one with 'alleycat keys create'"))
            }
            var bucket = state.buckets[key.id] ?? Bucket(tokens: Double(key.burst), updatedMillis: now)
            let elapsed = Double(max(0, now - bucket.updatedMillis)) / 1000
            bucket.tokens = min(Double(key.burst), bucket.tokens + elapsed * Double(key.requestsPerSecond))
            bucket.updatedMillis = now
            defer { state.buckets[key.id] = bucket }
            guard bucket.tokens >= 1 else {
                return .failure(.throttling("Rate exceeded for API key '\(key.name)': its plan allows \(key.requestsPerSecond) requests a second with a burst of \(key.burst); nothing of this request was taken, retry with backoff"))
            }
            bucket.tokens -= 1
            return .success(key)
        }
        return try outcome.get()
    }

    /// Takes `bytes` of the key's byte budget for a request whose body is read, or refuses
    /// it (then nothing of it is taken). The bucket holds a second's budget, and at least one
    /// request of the largest size, so any request a key may send can pass.
    public func spend(_ key: APIKey, bytes: Int) throws(KinesisAPIError) {
        let now = clock.nowMillis()
        let capacity = Double(max(key.bytesPerSecond, KinesisAPI.maximumRequestBytes))
        let refused: Bool = state.withLock { state in
            var bucket = state.byteBuckets[key.id] ?? Bucket(tokens: capacity, updatedMillis: now)
            let elapsed = Double(max(0, now - bucket.updatedMillis)) / 1000
            bucket.tokens = min(capacity, bucket.tokens + elapsed * Double(key.bytesPerSecond))
            bucket.updatedMillis = now
            defer { state.byteBuckets[key.id] = bucket }
            guard bucket.tokens >= Double(bytes) else { return true }
            bucket.tokens -= Double(bytes)
            return false
        }
        if refused {
            throw .throttling("Byte rate exceeded for API key '\(key.name)': its plan allows \(key.bytesPerSecond) request bytes a second and this request has \(bytes); nothing of this request was taken, retry with backoff")
        }
    }

    private func reloadIfDue(_ now: Int64) throws(KinesisAPIError) {
        let due = state.withLock { state in state.loadedMillis.map { now - $0 >= reloadMillis } ?? true }
        guard due else { return }
        let keys: [String: APIKey]
        do {
            keys = try store.apiKeysByHash()
        } catch {
            // Keep serving with the keys already loaded; try again on the next request.
            let loaded = state.withLock { $0.loadedMillis != nil }
            if loaded { return }
            throw .accessDenied("API keys could not be read from the store (\(error)): check the data directory")
        }
        state.withLock { state in
            state.keys = keys
            state.loadedMillis = now
        }
    }
}
