import Crypto

/// A shard's slice of the 128-bit hash key space, bounds included.
public struct HashKeyRange: Sendable, Hashable, CustomStringConvertible {
    public var startingHashKey: UInt128
    public var endingHashKey: UInt128

    public init(startingHashKey: UInt128, endingHashKey: UInt128) {
        self.startingHashKey = startingHashKey
        self.endingHashKey = endingHashKey
    }

    public func contains(_ key: UInt128) -> Bool {
        key >= startingHashKey && key <= endingHashKey
    }

    public var description: String { "\(startingHashKey)...\(endingHashKey)" }

    /// Splits the key space evenly into `count` contiguous ranges as CreateStream
    /// does: shard i starts at floor(i × 2^128 / count), the last ends at 2^128 - 1.
    public static func evenSplit(into count: Int) -> [HashKeyRange] {
        precondition(count >= 1, "a stream has at least one shard")
        if count == 1 { return [HashKeyRange(startingHashKey: 0, endingHashKey: .max)] }
        let n = UInt128(count)
        // 2^128 = q × n + r, computed without representing 2^128.
        var q = UInt128.max / n
        var r = UInt128.max % n + 1
        if r == n {
            q += 1
            r = 0
        }
        let starts = (0..<n).map { i in i * q + (i * r) / n }
        return (0..<count).map { i in
            HashKeyRange(startingHashKey: starts[i], endingHashKey: i == count - 1 ? .max : starts[i + 1] - 1)
        }
    }
}

/// How a record's partition key becomes a hash key: MD5 of its UTF-8 bytes read as
/// a big-endian 128-bit integer, as Kinesis does.
public enum PartitionHash {
    public static func hashKey(forPartitionKey key: String) -> UInt128 {
        var key = key
        return key.withUTF8 { hashKey(forBytes: UnsafeRawBufferPointer($0)) }
    }

    public static func hashKey(forBytes bytes: UnsafeRawBufferPointer) -> UInt128 {
        // update(bufferPointer:) is not generic: hash(data:) goes through DataProtocol's regions.
        var hasher = Insecure.MD5()
        hasher.update(bufferPointer: bytes)
        let digest = hasher.finalize()
        return digest.withUnsafeBytes { raw in
            let high = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            let low = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            return UInt128(high) << 64 | UInt128(low)
        }
    }

    /// Parses an explicit hash key: a decimal integer in 0...2^128-1.
    public static func parseExplicitHashKey(_ text: String) -> UInt128? {
        guard !text.isEmpty, text.utf8.count <= 39, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt128(text)
    }
}
