import Foundation

/// Storage format of a racer's per-second series in `race_results.series`:
/// one little-endian IEEE 754 Float64 per second, starting at second 1, so the
/// blob is `8 × highest second` bytes. NaN marks a second with no output.
/// Any reader (sqlite3 CLI, Python `struct.unpack('<%dd')`) can decode it.
enum SeriesBlob {
    /// Refuses absurd seconds before they allocate a huge series (a day of racing).
    static let maxSecond = 86_400

    static func encode(_ outputs: [Double]) -> Data {
        var data = Data(count: outputs.count * 8)
        data.withUnsafeMutableBytes { raw in
            for (index, output) in outputs.enumerated() {
                raw.storeBytes(of: output.bitPattern.littleEndian, toByteOffset: index * 8, as: UInt64.self)
            }
        }
        return data
    }

    /// Nil when the byte count is not a multiple of 8.
    static func decode(_ data: Data) -> [Double]? {
        guard data.count % 8 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(raw.count / 8)).map { index in
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
            }
        }
    }
}
