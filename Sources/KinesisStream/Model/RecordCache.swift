import StreamReading

/// The newest bytes of the stream's log, in memory: consumers at the tail read their
/// records here, and anything older is read back from the segment files. Blocks hold
/// contiguous logical ranges of the log; the oldest go once the cache is over its size
/// (a block stays alive while a reader still holds a record in it).
struct RecordCache {
    let capacityBytes: Int
    /// Oldest first; a few dozen at most, so dropping the first is cheap.
    private var blocks: [(start: UInt64, block: ByteBlock)] = []
    private var heldBytes = 0
    /// An evicted block that nothing referenced, kept for the next block (not counted in `heldBytes`).
    private var spare: ByteBlock?

    static let blockSize = 4 << 20

    init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    /// Copies the frames that start at logical offset `offset` in. One append stays in
    /// one block, so a frame never straddles two.
    mutating func append(_ frames: UnsafeRawBufferPointer, at offset: UInt64) {
        guard capacityBytes > 0 else { return }
        if let last = blocks.last, last.start + UInt64(last.block.used) == offset, last.block.available >= frames.count {
            _ = last.block.append(frames)
            return
        }
        let block: ByteBlock
        if let reused = spare, reused.capacity >= frames.count {
            block = reused
            spare = nil
        } else {
            block = ByteBlock(capacity: max(Self.blockSize, frames.count))
        }
        _ = block.append(frames)
        blocks.append((offset, block))
        heldBytes += block.capacity
        while heldBytes > capacityBytes, blocks.count > 1 {
            heldBytes -= blocks[0].block.capacity
            var evicted = blocks.removeFirst().block
            // A block no reader holds any more is kept for the next one: its pages are
            // already there, so a stream at steady load faults no new memory in.
            if isKnownUniquelyReferenced(&evicted), evicted.capacity == Self.blockSize {
                evicted.reuse()
                spare = evicted
            }
        }
    }

    /// The block and offset holding `count` bytes at logical `offset`, if they are cached.
    func lookup(_ offset: UInt64, count: Int) -> (block: ByteBlock, offset: Int)? {
        var low = 0
        var high = blocks.count - 1
        guard low <= high, blocks[low].start <= offset else { return nil }
        while low < high {
            let mid = (low + high + 1) / 2
            if blocks[mid].start <= offset { low = mid } else { high = mid - 1 }
        }
        let (start, block) = blocks[low]
        let inBlock = Int(offset - start)
        guard inBlock + count <= block.used else { return nil }
        return (block, inBlock)
    }

    /// Bytes of memory the cache holds now.
    var residentBytes: Int { heldBytes + (spare?.capacity ?? 0) }
}
