import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the service keeps the SigV4 secrets of API keys: a signature can only be checked
/// with the secret itself (HMAC), so, unlike the key's own hash, the secret must be
/// recoverable. The store keeps it sealed with AES-256-GCM under a key of its own in
/// `DATA/secret.key` (32 random bytes, mode 0600, made on first use), bound to the API
/// key's hash. A copy of the store alone, a backup or a shared file, shows no secret;
/// whoever can read both files can sign requests as any key, as with AWS's own.
public struct APISecretSeal: Sendable {
    /// The key's bytes (`SymmetricKey` is not Sendable; one is made for each use).
    let keyBytes: [UInt8]
    public let path: String

    /// Why the seal's key file cannot be used.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    static let keyLength = 32

    /// Reads the key file at `path`, making it first when it is missing (`create`); two
    /// processes making it at once agree on one file.
    public init(keyFile path: String, create: Bool = true) throws(Failure) {
        self.path = path
        if create, access(path, F_OK) != 0 { try makeKeyFile(path, bytes: Self.keyLength) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "cannot read the key that seals API key secrets at \(path): check the data directory's permissions, or restore that file from the backup it was copied with")
        }
        guard data.count == Self.keyLength else {
            throw Failure(description: "\(path) holds \(data.count) bytes where the key that seals API key secrets has \(Self.keyLength): restore it from a backup; without it, create new keys with 'alleycat keys create'")
        }
        keyBytes = Array(data)
    }

    /// The sealed form of `secret` for the API key whose hash is `keyHash` (nonce, ciphertext and tag).
    public func seal(_ secret: String, keyHash: String) -> [UInt8] {
        // Sealing with a fresh random nonce fails only on a nonce of the wrong size, which this is not.
        let box = try! AES.GCM.seal(Array(secret.utf8), using: SymmetricKey(data: keyBytes), authenticating: Array(keyHash.utf8))
        return Array(box.combined!)
    }

    /// The secret sealed in `sealed`, nil when it was not sealed by this key for this API key.
    public func open(_ sealed: [UInt8], keyHash: String) -> String? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
            let plain = try? AES.GCM.open(box, using: SymmetricKey(data: keyBytes), authenticating: Array(keyHash.utf8))
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }
}

/// Writes a new key to a temporary file (0600, synced) and links it into place, so the
/// file is whole or absent; when another process linked one first, that one is kept.
private func makeKeyFile(_ path: String, bytes keyBytes: Int) throws(APISecretSeal.Failure) {
    var random = SystemRandomNumberGenerator()
    let bytes = (0..<keyBytes).map { _ in UInt8.random(in: 0...255, using: &random) }
    let temporary = "\(path).\(getpid()).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
        throw APISecretSeal.Failure(description: "cannot create \(temporary) for the key that seals API key secrets: \(String(cString: strerror(errno)))")
    }
    defer { unlink(temporary) }
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    let synced = fsync(fd) == 0
    close(fd)
    guard written == keyBytes, synced else {
        throw APISecretSeal.Failure(description: "cannot write the key that seals API key secrets to \(temporary): \(String(cString: strerror(errno)))")
    }
    if link(temporary, path) != 0, errno != EEXIST {
        throw APISecretSeal.Failure(description: "cannot put the key that seals API key secrets at \(path): \(String(cString: strerror(errno)))")
    }
}
