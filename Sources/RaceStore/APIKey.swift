import Crypto

/// A client's API key as the store keeps it: its name, its usage plan and when
/// it was created and revoked. The key itself is never stored, only its hash.
public struct APIKey: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    /// The first 6 characters of the key, so a person can tell keys apart in a list.
    public var prefix: String
    public var requestsPerSecond: Int
    public var burst: Int
    /// Request bytes the key may send a second (its byte bucket holds a second's worth,
    /// and at least one request of the largest size).
    public var bytesPerSecond: Int
    public var createdMillis: Int64
    public var revokedMillis: Int64?
    /// The key's SigV4 secret access key, sealed (`APISecretSeal`); nil for a key made before
    /// signatures were checked, which then works only as `x-api-key`.
    public var sealedSigningSecret: [UInt8]?
    public var isRevoked: Bool { revokedMillis != nil }

    public init(
        id: Int64, name: String, prefix: String, requestsPerSecond: Int, burst: Int,
        bytesPerSecond: Int = APIKey.defaultBytesPerSecond, createdMillis: Int64, revokedMillis: Int64? = nil,
        sealedSigningSecret: [UInt8]? = nil
    ) {
        self.sealedSigningSecret = sealedSigningSecret
        self.bytesPerSecond = bytesPerSecond
        self.id = id
        self.name = name
        self.prefix = prefix
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.createdMillis = createdMillis
        self.revokedMillis = revokedMillis
    }

    /// Longest name a key may have.
    public static let maxNameLength = 64
    /// Allowed requests per second and burst.
    public static let planRange = 1...1_000_000
    /// Allowed byte budgets: 1 KiB to 1 GiB a second; 256 MiB (more than one node ingests) unless the key says otherwise.
    public static let bytesPerSecondRange = 1024...(1 << 30)
    public static let defaultBytesPerSecond = 256 << 20
    /// Characters of a key shown in lists.
    static let prefixLength = 6

    /// Checks a new key's name and plan, as `RaceStore.createAPIKey` does, so a
    /// command can refuse them before it opens the store.
    public static func validate(
        name: String, requestsPerSecond: Int, burst: Int, bytesPerSecond: Int = defaultBytesPerSecond
    ) throws(APIKeyError) {
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "-_.".unicodeScalars.contains(scalar)
        }
        guard (1...maxNameLength).contains(name.count), allowed else { throw .invalidName(name) }
        // `revokeAPIKey` reads a number as an id, so a numeric name could not be revoked by name.
        guard Int64(name) == nil else { throw .numericName(name) }
        guard planRange.contains(requestsPerSecond) else { throw .requestsPerSecondOutOfRange(requestsPerSecond) }
        guard planRange.contains(burst) else { throw .burstOutOfRange(burst) }
        guard bytesPerSecondRange.contains(bytesPerSecond) else { throw .bytesPerSecondOutOfRange(bytesPerSecond) }
    }
}

public enum APIKeySecret {
    /// Base32 (RFC 4648): digits 0, 1, 8 and 9 are left out, so keys are easy to read aloud.
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    /// A new key: "AC" followed by 30 characters of A-Z and 2-7 (base32), from the system's random generator.
    /// It doubles as an AWS access key id, so it must stay [A-Z0-9] only.
    public static func generate() -> String {
        // 30 characters of 5 bits each: 150 random bits.
        var generator = SystemRandomNumberGenerator()
        return "AC" + String((0..<30).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// A new SigV4 secret access key: 40 characters of base64 (A-Z, a-z, 0-9, '+', '/') from
    /// 30 random bytes, the shape of an AWS secret access key.
    public static func generateSigningSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return String((0..<40).map { _ in base64.randomElement(using: &generator)! })
    }

    /// Lowercase hex SHA-256 of the key's UTF-8 bytes (what the store keeps).
    public static func hash(_ key: String) -> String {
        let hexDigits = Array("0123456789abcdef")
        var hex = ""
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(key.utf8)) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return hex
    }
}
