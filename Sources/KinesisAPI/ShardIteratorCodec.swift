import KinesisStream
import KinesisWire
import RaceModel

/// Shard iterators as opaque strings: base64 of the shard, the next record counter,
/// when the iterator was issued, and a keyed check, so a made-up or damaged iterator
/// is refused rather than read from. Like Kinesis's, they expire after 5 minutes.
struct ShardIteratorCodec: Sendable {
    let key: UInt64
    static let lifetimeMillis: Int64 = 300_000
    private static let version: UInt8 = 1
    private static let byteCount = 1 + 4 + 8 + 8 + 8

    func encode(_ iterator: ShardIterator, issuedMillis: Int64) -> String {
        var bytes: [UInt8] = [Self.version]
        bytes.reserveCapacity(Self.byteCount)
        append(UInt64(iterator.shardId.index), width: 4, to: &bytes)
        append(iterator.nextCounter, width: 8, to: &bytes)
        append(UInt64(bitPattern: issuedMillis), width: 8, to: &bytes)
        append(check(bytes), width: 8, to: &bytes)
        return Base64.encode(bytes)
    }

    /// The iterator and when it was issued; refuses anything this service did not write.
    func decode(_ text: String) throws(KinesisAPIError) -> (iterator: ShardIterator, issuedMillis: Int64) {
        guard let bytes = Base64.decode(text), bytes.count == Self.byteCount, bytes[0] == Self.version,
              read(bytes, at: 21, width: 8) == check(Array(bytes[0..<21]))
        else {
            throw .invalidArgument("Invalid ShardIterator: use one returned by GetShardIterator or GetRecords of this service")
        }
        let shard = Int(read(bytes, at: 1, width: 4))
        let iterator = ShardIterator(shardId: ShardID(index: shard), nextCounter: read(bytes, at: 5, width: 8))
        return (iterator, Int64(bitPattern: read(bytes, at: 13, width: 8)))
    }

    private func check(_ bytes: [UInt8]) -> UInt64 {
        var hash = SplitMix64.mix(key)
        for byte in bytes { hash = SplitMix64.mix(hash ^ UInt64(byte)) }
        return hash
    }

    private func append(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private func read(_ bytes: [UInt8], at offset: Int, width: Int) -> UInt64 {
        bytes[offset..<offset + width].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
