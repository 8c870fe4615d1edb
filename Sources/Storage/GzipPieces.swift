import CZlib

/// One piece of a gzip member compressed on its own: raw deflate blocks that end on a
/// byte boundary with no reference back into earlier pieces, so pieces compressed at
/// different times (or on different threads, as pigz does) can be laid end to end in
/// one ordinary gzip member. A file made of pieces re-compresses only the pieces whose
/// text changed; any gzip reader reads it as a single member.
public struct GzipPiece: Sendable, Equatable {
    /// Raw deflate output (no header, no trailer).
    public let deflated: [UInt8]
    /// CRC-32 of the uncompressed text.
    public let crc: UInt32
    /// Length of the uncompressed text.
    public let length: Int
    /// True when these blocks end the deflate stream (a piece made with `last: true`).
    public let isLast: Bool

    /// Compresses `text`. Every piece but the member's last is made with `last: false`
    /// (a full flush: byte-aligned, history reset); the last one ends the stream.
    public init(_ text: UnsafeRawBufferPointer, level: Int32 = 6, last: Bool) {
        precondition((-1...9).contains(level), "gzip level must be in -1...9, got \(level)")
        let zstream = ZStream()
        defer { zstream.release() }
        let stream = zstream.pointer
        // windowBits -15: raw deflate, no zlib or gzip wrapper.
        let status = deflateInit2_(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { fatalError("deflateInit2 failed with zlib status \(status)") }
        defer { deflateEnd(stream) }
        precondition(text.count <= Int(uInt.max), "a gzip piece holds at most 4 GiB")
        // deflateBound plus room for the flush's empty stored block (5 bytes) and a block header.
        let bound = Int(deflateBound(stream, uLong(text.count))) + 16
        deflated = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: text.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(text.count)
            stream.pointee.next_out = buffer.baseAddress
            stream.pointee.avail_out = uInt(buffer.count)
            let result = deflate(stream, last ? Z_FINISH : Z_FULL_FLUSH)
            precondition(result == (last ? Z_STREAM_END : Z_OK) && stream.pointee.avail_in == 0, "deflate failed with zlib status \(result)")
            count = buffer.count - Int(stream.pointee.avail_out)
        }
        crc = UInt32(crc32(0, text.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(text.count)))
        length = text.count
        isLast = last
    }

    public init(_ text: [UInt8], level: Int32 = 6, last: Bool) {
        self = text.withUnsafeBytes { GzipPiece($0, level: level, last: last) }
    }
}

extension Gzip {
    /// The gzip header every member made of pieces starts with: deflate, no name, no time, Unix.
    static let piecesHeader: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]

    /// One gzip member made of `pieces` in order; the last must be made with `last: true`.
    public static func member(_ pieces: [GzipPiece]) -> [UInt8] {
        var member = GzipMember(capacity: pieces.reduce(0) { $0 + $1.deflated.count })
        for piece in pieces { member.append(piece) }
        return member.finish()
    }
}

/// Lays pieces end to end in one gzip member: the header, each piece's deflate blocks,
/// and a trailer with the CRC-32 and length of the whole text.
public struct GzipMember {
    public private(set) var bytes: [UInt8]
    private var crc: uLong = 0
    private var length = 0
    private var ended = false

    /// `capacity`: the deflated bytes expected, to allocate once.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(Gzip.piecesHeader.count + capacity + 8)
        bytes.append(contentsOf: Gzip.piecesHeader)
    }

    /// Appends a piece; returns where its deflated bytes are in `bytes`.
    @discardableResult
    public mutating func append(_ piece: GzipPiece) -> Range<Int> {
        piece.deflated.withUnsafeBytes { append(deflated: $0, crc: piece.crc, length: piece.length, isLast: piece.isLast) }
    }

    /// Appends deflate blocks made as a `GzipPiece` was (for example copied out of an earlier member).
    @discardableResult
    public mutating func append(deflated: UnsafeRawBufferPointer, crc pieceCRC: UInt32, length pieceLength: Int, isLast: Bool) -> Range<Int> {
        precondition(!ended, "a piece after the one that ends the stream")
        let start = bytes.count
        bytes.append(contentsOf: deflated)
        crc = crc32_combine(crc, uLong(pieceCRC), off_t(pieceLength))
        length += pieceLength
        ended = isLast
        return start..<bytes.count
    }

    /// The member, with its trailer; the last piece appended must end the stream.
    public consuming func finish() -> [UInt8] {
        precondition(ended, "the last piece must be made with last: true")
        for value in [UInt32(truncatingIfNeeded: crc), UInt32(truncatingIfNeeded: length)] {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }
        return bytes
    }
}
