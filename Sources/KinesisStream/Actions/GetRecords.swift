import StreamReading

public struct GetRecordsResult: Sendable, Equatable {
    public var records: [ShardRecord]
    /// Nil once a closed shard is read to its end: its children follow.
    public var nextShardIterator: ShardIterator?
    /// How far behind the newest record of the shard the reader is, 0 when caught up.
    public var millisBehindLatest: Int64
    /// At the end of a closed shard, the shards made from it.
    public var childShards: [ChildShard]
}

/// A shard made from the one read, as GetRecords names it at that shard's end.
public struct ChildShard: Sendable, Equatable {
    public var shardId: ShardID
    public var parentShards: [ShardID]
    public var hashKeyRange: HashKeyRange
}

extension KinesisStream {
    /// GetRecords: up to `limit` records (1...10,000, at most 10 MiB) from the iterator on.
    /// What to read is settled under the lock; records in the cache are viewed in place,
    /// older ones are read from the segment files after the lock is let go.
    public func getRecords(_ iterator: ShardIterator, limit: Int = CallLimits.maximumGetRecords) throws(StreamError) -> GetRecordsResult {
        let (records, next, behind) = try read(iterator, limit: limit) { sequenceNumber, arrival, key, data in
            ShardRecord(sequenceNumber: sequenceNumber, approximateArrivalMillis: arrival, partitionKey: key, data: data)
        }
        return GetRecordsResult(
            records: records, nextShardIterator: next, millisBehindLatest: behind, childShards: next == nil ? childShards(of: iterator.shardId) : [])
    }

    /// The shards whose parent or adjacent parent is `shardId`.
    public func childShards(of shardId: ShardID) -> [ChildShard] {
        state.withLock { state in
            state.shards.filter { $0.parent == shardId.index || $0.adjacentParent == shardId.index }.map { child in
                ChildShard(
                    shardId: child.id, parentShards: [child.parent, child.adjacentParent].compactMap { $0.map { ShardID(index: $0) } },
                    hashKeyRange: child.range)
            }
        }
    }

    /// GetRecords with the records made by `make`, so a reader of another record type
    /// (the reading seam's) gets them without a second pass.
    func read<Record>(
        _ iterator: ShardIterator, limit: Int, make: (SequenceNumber, Int64, String, RecordData) -> Record
    ) throws(StreamError) -> (records: [Record], next: ShardIterator?, millisBehindLatest: Int64) {
        try checkShard(iterator.shardId)
        guard (1...CallLimits.maximumGetRecords).contains(limit) else {
            throw .validation("GetRecords Limit is \(limit), must be 1 to \(CallLimits.maximumGetRecords)")
        }
        let cutoff = retentionCutoff(nowMillis: clock.nowMillis())
        let oldest = log.oldestOffset
        let index = iterator.shardId.index
        typealias Located = (piece: Shard.Piece, cached: (block: ByteBlock, offset: Int)?)
        let (located, next, behind, atEnd) = state.withLock { state -> ([Located], UInt64, Int64, Bool) in
            state.shards[index].trim(arrivedBefore: cutoff, offsetBelow: oldest)
            let shard = state.shards[index]
            let (pieces, next) = shard.plan(fromCounter: iterator.nextCounter, limit: limit, maxBytes: CallLimits.maximumGetBytes)
            var behind: Int64 = 0
            if let newest = shard.arrivalOfNewest(), let nextArrival = shard.arrival(ofCounter: next) {
                behind = max(0, newest - nextArrival)
            }
            let located = pieces.map { piece in (piece, state.cache.lookup(piece.run.offset, count: Int(piece.run.bytes))) }
            return (located, next, behind, !shard.hasRecords(from: next))
        }
        var records: [Record] = []
        records.reserveCapacity(located.reduce(0) { $0 + $1.piece.take })
        let fileBytes = located.reduce(0) { $0 + ($1.cached == nil ? Int($1.piece.run.bytes) : 0) }
        let fileBlock = fileBytes > 0 ? ByteBlock(capacity: fileBytes) : nil
        for (piece, cached) in located {
            let block: ByteBlock
            let start: Int
            if let cached {
                (block, start) = cached
            } else {
                do {
                    start = try log.read(at: piece.run.offset, count: Int(piece.run.bytes), into: fileBlock!)
                } catch {
                    throw .internalFailure("cannot read shard \(iterator.shardId) of stream \(name): \(error.message)")
                }
                block = fileBlock!
            }
            try Self.decode(piece, shard: index, in: block, at: start, verify: cached == nil && log.sync, make: make, into: &records)
        }
        return (records, atEnd ? nil : ShardIterator(shardId: iterator.shardId, nextCounter: next), behind)
    }

    /// The records of a run's frames, from the piece's `skip`th on. Frames read from a
    /// durable log's file are checked against their checksums; cached ones were made by
    /// this process, and a scratch log writes none.
    private static func decode<Record>(
        _ piece: Shard.Piece, shard: Int, in block: ByteBlock, at start: Int, verify: Bool,
        make: (SequenceNumber, Int64, String, RecordData) -> Record, into records: inout [Record]
    ) throws(StreamError) {
        let raw = UnsafeRawBufferPointer(start: block.base + start, count: Int(piece.run.bytes))
        var offset = 0
        for index in 0..<(piece.skip + piece.take) {
            guard let frame = LogFrame.recordView(raw, at: offset, verify: verify) else {
                throw .internalFailure("the stream log is damaged in shard \(ShardID(index: shard)) near record \(piece.run.firstCounter + UInt64(index)); restore it from a backup or move it away")
            }
            if index >= piece.skip {
                records.append(make(
                    SequenceNumber(shardIndex: shard, counter: piece.run.firstCounter + UInt64(index)), piece.run.arrivalMillis,
                    String(decoding: UnsafeRawBufferPointer(rebasing: raw[frame.key]), as: UTF8.self),
                    RecordData(block: block, offset: start + frame.data.lowerBound, count: frame.data.count)))
            }
            offset = frame.next
        }
    }
}
