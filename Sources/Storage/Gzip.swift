import CZlib

/// In-memory gzip (RFC 1952) compression with the system zlib.
public enum Gzip {
    /// Compresses `input` into one gzip member.
    ///
    /// - Parameter level: zlib level, 0 (store) ... 9 (smallest), or -1 for zlib's default.
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 6) -> [UInt8] {
        precondition((-1...9).contains(level), "gzip level must be in -1...9, got \(level)")
        let stream = ZStream()
        defer { stream.release() }
        // windowBits 15 + 16: a 32 KiB window with a gzip header and trailer instead of zlib's.
        let status = deflateInit2_(
            stream.pointer, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            // Only Z_MEM_ERROR is possible with valid arguments; Array allocation traps the same way.
            fatalError("deflateInit2 failed with zlib status \(status)")
        }
        defer { deflateEnd(stream.pointer) }

        // deflateBound covers the gzip header and trailer, so Z_FINISH completes in one call
        // and the output never has to grow or be copied.
        let bound = Int(deflateBound(stream.pointer, uLong(input.count)))
        return [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            var feeder = InputFeeder(input, stream: stream.pointer)
            while true {
                // avail_in and avail_out are 32 bits: over 4 GiB takes several calls (one otherwise).
                feeder.refill()
                let written = Int(stream.pointer.pointee.total_out)
                stream.pointer.pointee.next_out = buffer.baseAddress! + written
                stream.pointer.pointee.avail_out = uInt(clamping: buffer.count - written)
                let flush = feeder.isLastSlice ? Z_FINISH : Z_NO_FLUSH
                let status = deflate(stream.pointer, flush)
                if status == Z_STREAM_END { break }
                precondition(status == Z_OK, "deflate failed with zlib status \(status)")
            }
            count = Int(stream.pointer.pointee.total_out)
        }
    }

    public static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        input.withUnsafeBytes { compress($0, level: level) }
    }

    /// Decompresses a gzip file, including files of several concatenated members (as `zcat` does).
    /// A zlib stream is accepted too.
    public static func decompress(_ input: UnsafeRawBufferPointer) throws(GzipError) -> [UInt8] {
        let stream = ZStream()
        defer { stream.release() }
        // windowBits 15 + 32: detect gzip or zlib headers automatically.
        let status = inflateInit2_(stream.pointer, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            if status == Z_MEM_ERROR { throw .outOfMemory }
            fatalError("inflateInit2 failed with zlib status \(status)")
        }
        defer { inflateEnd(stream.pointer) }

        var feeder = InputFeeder(input, stream: stream.pointer)
        var output: [UInt8] = []
        var capacity = initialCapacity(for: input)
        while true {
            var outcome = InflateOutcome.needsSpace
            let previous = output
            output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                previous.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
                count = previous.count
                outcome = inflate(stream.pointer, into: buffer, count: &count, feeder: &feeder)
            }
            switch outcome {
            case .finished: return output
            case .needsSpace: capacity = capacity * 2
            case .failed(let error): throw error
            }
        }
    }

    public static func decompress(_ input: [UInt8]) throws(GzipError) -> [UInt8] {
        let result = input.withUnsafeBytes { bytes in
            Result { () throws(GzipError) in try decompress(bytes) }
        }
        return try result.get()
    }

    private enum InflateOutcome {
        case finished, needsSpace, failed(GzipError)
    }

    /// Inflates into `buffer` after its first `count` bytes until the input ends or the buffer is full.
    private static func inflate(
        _ stream: UnsafeMutablePointer<z_stream>,
        into buffer: UnsafeMutableBufferPointer<UInt8>,
        count: inout Int,
        feeder: inout InputFeeder
    ) -> InflateOutcome {
        while true {
            feeder.refill()
            let space = buffer.count - count
            stream.pointee.next_out = buffer.baseAddress! + count
            stream.pointee.avail_out = uInt(clamping: space)
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            count += space - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                if feeder.isExhausted { return .finished }
                // Another gzip member follows: start over on the remaining input.
                inflateReset(stream)
            case Z_BUF_ERROR:
                // No progress possible: either the output is full or the input ran out mid-stream.
                if stream.pointee.avail_out == 0 { return .needsSpace }
                return .failed(.truncated)
            case Z_DATA_ERROR:
                return .failed(.corrupt(message(of: stream) ?? "invalid compressed data"))
            case Z_NEED_DICT:
                return .failed(.corrupt("zlib stream needs a preset dictionary"))
            case Z_MEM_ERROR:
                return .failed(.outOfMemory)
            default:
                fatalError("inflate failed with zlib status \(status)")
            }
        }
    }

    /// The gzip trailer ends with the last member's uncompressed size (mod 2^32), which is exact
    /// for the usual single-member file and so avoids growing the output.
    private static func initialCapacity(for input: UnsafeRawBufferPointer) -> Int {
        let minimum = 4096
        let fallback = max(min(input.count, Int.max / 8) * 4, minimum)
        guard input.count >= 18, input[0] == 0x1f, input[1] == 0x8b else { return fallback }
        let trailer = input.count - 4
        var size = 0
        for index in 0..<4 { size |= Int(input[trailer + index]) << (8 * index) }
        // deflate cannot exceed ~1032:1, so a larger claim is corrupt and must not drive allocation.
        let plausible = size > 0 && size / 1032 <= input.count
        return plausible ? max(size, minimum) : fallback
    }

    private static func message(of stream: UnsafeMutablePointer<z_stream>) -> String? {
        stream.pointee.msg.map { String(cString: $0) }
    }
}

/// A z_stream at a fixed address: zlib keeps a pointer back to it and rejects a moved stream.
struct ZStream {
    let pointer: UnsafeMutablePointer<z_stream>

    init() {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: z_stream())
    }

    func release() {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}

/// Feeds input to a z_stream in slices that fit its 32-bit `avail_in`.
private struct InputFeeder {
    private let stream: UnsafeMutablePointer<z_stream>
    private var remaining: Int

    init(_ input: UnsafeRawBufferPointer, stream: UnsafeMutablePointer<z_stream>) {
        self.stream = stream
        remaining = input.count
        // zlib's API is not const-correct, but it never writes through next_in.
        stream.pointee.next_in = UnsafeMutablePointer(
            mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = 0
        refill()
    }

    /// True when every input byte has been handed to zlib.
    var isLastSlice: Bool { remaining == 0 }

    /// True when every input byte has been handed to zlib and zlib has consumed it.
    var isExhausted: Bool { remaining == 0 && stream.pointee.avail_in == 0 }

    mutating func refill() {
        guard stream.pointee.avail_in == 0, remaining > 0 else { return }
        let slice = min(remaining, Int(uInt.max))
        stream.pointee.avail_in = uInt(slice)
        remaining -= slice
    }
}
