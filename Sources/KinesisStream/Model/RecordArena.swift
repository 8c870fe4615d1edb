#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Large blocks of memory that hold record bytes back to back. One allocation per
/// few thousand records instead of one per record, and on Linux the blocks ask for
/// transparent huge pages: on a virtual machine every 4 KiB page fault is slow, and a
/// race's 60 MB of records would otherwise spend more time faulting than working.
final class RecordArena: @unchecked Sendable {
    // Bytes below `used` are written once, under the stream's lock, before any reader
    // can see them, and never change after: readers need no lock.
    let base: UnsafeMutableRawPointer
    let capacity: Int
    private let mapping: UnsafeMutableRawPointer
    private let mappingSize: Int
    private(set) var used = 0

    static let blockSize = 4 << 20
    private static let hugePage = 2 << 20

    init(minimumCapacity: Int) {
        let capacity = max(minimumCapacity, RecordArena.blockSize)
        // Over-map by one huge page so the block can start on a huge-page boundary.
        let size = capacity + RecordArena.hugePage
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED
        else {
            fatalError("cannot map \(size) bytes for stream records: \(String(cString: strerror(errno)))")
        }
        let aligned = (Int(bitPattern: mapped) + RecordArena.hugePage - 1) & ~(RecordArena.hugePage - 1)
        base = UnsafeMutableRawPointer(bitPattern: aligned)!
        #if os(Linux)
        _ = madvise(base, capacity, MADV_HUGEPAGE)
        #endif
        self.capacity = capacity
        mapping = mapped
        mappingSize = size
    }

    deinit {
        munmap(mapping, mappingSize)
    }

    var available: Int { capacity - used }

    /// Copies `bytes` in; the caller has checked `available`.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let offset = used
        if let source = bytes.baseAddress {
            (base + offset).copyMemory(from: source, byteCount: bytes.count)
        }
        used += bytes.count
        return offset
    }
}

/// A stored record's bytes: a view into the shard's arena, kept alive by this value.
public struct RecordData: Sendable, RandomAccessCollection, Equatable, CustomStringConvertible {
    let arena: RecordArena?
    let offset: Int
    public let count: Int

    init(arena: RecordArena, offset: Int, count: Int) {
        self.arena = arena
        self.offset = offset
        self.count = count
    }

    public init() {
        arena = nil
        offset = 0
        count = 0
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "record byte index out of range")
        return arena!.base.load(fromByteOffset: offset + position, as: UInt8.self)
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard let arena else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try withExtendedLifetime(arena) {
            try body(UnsafeRawBufferPointer(start: arena.base + offset, count: count))
        }
    }

    public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try withUnsafeBytes { try body($0.bindMemory(to: UInt8.self)) }
    }

    public var bytes: [UInt8] { Array(self) }

    public static func == (lhs: RecordData, rhs: RecordData) -> Bool {
        lhs.count == rhs.count && lhs.withUnsafeBytes { l in rhs.withUnsafeBytes { r in l.elementsEqual(r) } }
    }

    public var description: String { String(decoding: self, as: UTF8.self) }
}
