#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A block of memory that record bytes are viewed in: a cache block of the embedded
/// stream, or the bytes of one remote GetRecords answer. Bytes below `used` are
/// written once, by the block's one writer, before any `RecordData` names them, and
/// never change after; the block lives while a view of it does.
public final class ByteBlock: @unchecked Sendable {
    // @unchecked: the writer appends only past `used`, and views read only below it.
    public let base: UnsafeMutableRawPointer
    public let capacity: Int
    private let mapping: UnsafeMutableRawPointer
    private let mappingSize: Int
    public private(set) var used = 0

    private static let hugePage = 2 << 20

    /// Large blocks ask for transparent huge pages: on a virtual machine every 4 KiB
    /// page fault is slow, and a stream's blocks would spend more time faulting than working.
    public init(capacity: Int) {
        let capacity = max(capacity, 1)
        let huge = capacity >= ByteBlock.hugePage
        let size = huge ? capacity + ByteBlock.hugePage : capacity
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED else {
            fatalError("cannot map \(size) bytes for stream records: \(String(cString: strerror(errno)))")
        }
        if huge {
            let aligned = (Int(bitPattern: mapped) + ByteBlock.hugePage - 1) & ~(ByteBlock.hugePage - 1)
            base = UnsafeMutableRawPointer(bitPattern: aligned)!
            #if os(Linux)
            _ = madvise(base, capacity, MADV_HUGEPAGE)
            #endif
        } else {
            base = mapped
        }
        self.capacity = capacity
        mapping = mapped
        mappingSize = size
    }

    deinit {
        munmap(mapping, mappingSize)
    }

    public var available: Int { capacity - used }

    /// Copies `bytes` in; the caller has checked `available`. Returns their offset.
    public func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let offset = used
        if let source = bytes.baseAddress, bytes.count > 0 {
            (base + offset).copyMemory(from: source, byteCount: bytes.count)
        }
        used += bytes.count
        return offset
    }

    /// Empties the block for new bytes, keeping its pages. Only for a block nothing else
    /// references (`isKnownUniquelyReferenced`): a view into it would see the new bytes.
    public func reuse() {
        used = 0
    }

    /// Lets the writer fill `count` bytes in place (for example straight from a file).
    public func appendInPlace(_ count: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> Int {
        let offset = used
        let filled = try fill(UnsafeMutableRawBufferPointer(start: base + offset, count: min(count, available)))
        used += filled
        return offset
    }
}

/// A record's bytes: a view into a `ByteBlock`, kept alive by this value.
public struct RecordData: Sendable, RandomAccessCollection, Equatable, CustomStringConvertible {
    let block: ByteBlock?
    let offset: Int
    public let count: Int

    public init(block: ByteBlock, offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= block.used, "record view outside its block")
        self.block = block
        self.offset = offset
        self.count = count
    }

    public init() {
        block = nil
        offset = 0
        count = 0
    }

    /// A copy of `bytes` in a block of its own (tests and small callers).
    public init(_ bytes: [UInt8]) {
        let block = ByteBlock(capacity: bytes.count)
        let offset = bytes.withUnsafeBytes { block.append($0) }
        self.init(block: block, offset: offset, count: bytes.count)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "record byte index out of range")
        return block!.base.load(fromByteOffset: offset + position, as: UInt8.self)
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard let block else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try withExtendedLifetime(block) {
            try body(UnsafeRawBufferPointer(start: block.base + offset, count: count))
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
