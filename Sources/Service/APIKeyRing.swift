import KinesisAPI
import RaceModel
import RaceStore
import SigV4
import Synchronization

/// Who may ingest, and how fast: the store's API keys, reloaded about once a second
/// (so `alleycat keys revoke` takes effect on a running service), each with a token
/// bucket of its plan's rate and burst on the service's clock. Keys are held by their
/// hashes; their SigV4 secrets are opened with the seal (`APISecretSeal`) to check
/// signatures.
public final class APIKeyRing: Sendable {
    let store: any ResultStore
    let seal: APISecretSeal
    let clock: any EpochClock
    let reloadMillis: Int64
    let verifier = SigV4Verifier(service: "kinesis")

    private struct Bucket {
        var tokens: Double
        var updatedMillis: Int64
    }

    private struct Entry {
        var key: APIKey
        /// The SigV4 secret, nil for a key made before secrets were (or one the seal cannot open).
        var signingSecret: String?
    }

    private struct State {
        var keys: [String: Entry] = [:]
        var loadedMillis: Int64?
        var buckets: [Int64: Bucket] = [:]
        var byteBuckets: [Int64: Bucket] = [:]
    }

    private let state = Mutex(State())

    public init(store: any ResultStore, seal: APISecretSeal, clock: any EpochClock, reloadMillis: Int64 = 1000) {
        self.store = store
        self.seal = seal
        self.clock = clock
        self.reloadMillis = reloadMillis
    }

    /// What a request presents: an `x-api-key` header, or else a SigV4 `Authorization` header.
    public enum Credential: Sendable, Equatable {
        case apiKey(String)
        case signed(SigV4Authorization)

        public var accessKeyId: String {
            switch self {
            case let .apiKey(key): key
            case let .signed(authorization): authorization.accessKeyId
            }
        }

        /// The region a SigV4 credential is scoped to, nil for an `x-api-key`.
        public var signingRegion: String? {
            if case let .signed(authorization) = self { authorization.region } else { nil }
        }
    }

    /// The credential a request carries, nil for none. An `x-api-key` header wins over an
    /// `Authorization` header; an `Authorization` header that is not a whole SigV4 one is refused.
    public static func credential(apiKeyHeader: String?, authorization: String?) throws(KinesisAPIError) -> Credential? {
        if let key = apiKeyHeader, !key.isEmpty { return .apiKey(key) }
        guard let authorization, !authorization.isEmpty else { return nil }
        do {
            return .signed(try SigV4Authorization(authorization))
        } catch {
            throw .incompleteSignature(error.message)
        }
    }

    /// The key a credential names, refused when it is unknown or revoked. It takes no token:
    /// `admit` does, once the request is shown to come from the key.
    public func identify(_ credential: Credential?) throws(KinesisAPIError) -> (key: APIKey, signingSecret: String?) {
        guard let credential else {
            throw .missingAuthenticationToken("Missing Authentication Token: send an API key as the x-api-key header, or sign with an AWS SDK using a key's access key id and secret ('alleycat keys create' makes one)")
        }
        try reloadIfDue(clock.nowMillis())
        let hash = APIKeySecret.hash(credential.accessKeyId)
        guard let entry = state.withLock({ $0.keys[hash] }) else {
            throw .unrecognizedClient("The API key in the request is not one this service knows: check it, or create one with 'alleycat keys create'")
        }
        if let revoked = entry.key.revokedMillis {
            throw .accessDenied("API key '\(entry.key.name)' (\(entry.key.prefix)…) was revoked at \(UTCTime(millis: revoked).iso): create a new one with 'alleycat keys create'")
        }
        return (entry.key, entry.signingSecret)
    }

    /// Checks a SigV4 request's signature with its key's secret, on the service's clock.
    public func verify(
        _ request: SigV4Verifier.Request, authorization: SigV4Authorization, key: APIKey, signingSecret: String?
    ) throws(KinesisAPIError) {
        guard let signingSecret else {
            let why = key.sealedSigningSecret == nil
                ? "was made before signatures were checked and has no secret"
                : "has a secret that \(seal.path) does not open (the key file was replaced)"
            throw .invalidSignature("API key '\(key.name)' (\(key.prefix)…) \(why): send it as the x-api-key header, or create a key with 'alleycat keys create' and sign with its secret")
        }
        do {
            try verifier.verify(request, authorization: authorization, secret: signingSecret, nowSeconds: clock.nowMillis() / 1000)
        } catch {
            switch error {
            case let .incomplete(message): throw .incompleteSignature(message)
            case let .invalid(message): throw .invalidSignature(message)
            }
        }
    }

    /// Takes one of the key's request tokens, or says why not. A refused request takes no token.
    public func admit(_ key: APIKey) throws(KinesisAPIError) {
        let now = clock.nowMillis()
        let refused: Bool = state.withLock { state in
            var bucket = state.buckets[key.id] ?? Bucket(tokens: Double(key.burst), updatedMillis: now)
            let elapsed = Double(max(0, now - bucket.updatedMillis)) / 1000
            bucket.tokens = min(Double(key.burst), bucket.tokens + elapsed * Double(key.requestsPerSecond))
            bucket.updatedMillis = now
            defer { state.buckets[key.id] = bucket }
            guard bucket.tokens >= 1 else { return true }
            bucket.tokens -= 1
            return false
        }
        if refused {
            throw .throttling("Rate exceeded for API key '\(key.name)': its plan allows \(key.requestsPerSecond) requests a second with a burst of \(key.burst); nothing of this request was taken, retry with backoff")
        }
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
        let keys: [String: Entry]
        do {
            keys = Dictionary(uniqueKeysWithValues: try store.apiKeysByHash().map { hash, key in
                (hash, Entry(key: key, signingSecret: key.sealedSigningSecret.flatMap { seal.open($0, keyHash: hash) }))
            })
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
