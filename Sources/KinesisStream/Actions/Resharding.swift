import Foundation

/// What a split, merge or new shard count did: the shards it closed and those it made,
/// by index (a new shard count may make shards that it closes again at once, as
/// Kinesis's uniform scaling does through splits and merges).
public struct ReshardResult: Sendable, Equatable {
    public var closed: [ShardID]
    public var created: [ShardID]
    /// Open shards before and after.
    public var openBefore: Int
    public var openAfter: Int
}

extension KinesisStream {
    /// SplitShard: closes `shardId` and makes two children, one below and one from
    /// `newStartingHashKey` (which must be above the shard's first key and at most its last).
    public func splitShard(_ shardId: ShardID, newStartingHashKey: UInt128) throws(StreamError) -> ReshardResult {
        try reshape { shards, now throws(StreamError) in
            let index = try Self.openShard(shardId, in: shards, streamName: name)
            let range = shards[index].range
            guard newStartingHashKey > range.startingHashKey, newStartingHashKey <= range.endingHashKey else {
                throw .invalidArgument(
                    "NewStartingHashKey \(newStartingHashKey) used in SplitShard() on shard \(shardId) in stream \(name) is not both greater than the shard's StartingHashKey \(range.startingHashKey) and at most its EndingHashKey \(range.endingHashKey)")
            }
            try Self.split(index, at: newStartingHashKey, in: &shards, nowMillis: now)
        }
    }

    /// MergeShards: closes two adjacent open shards and makes one child over both ranges
    /// (its parent `shardId`, its adjacent parent `adjacentShardId`).
    public func mergeShards(_ shardId: ShardID, _ adjacentShardId: ShardID) throws(StreamError) -> ReshardResult {
        try reshape { shards, now throws(StreamError) in
            let first = try Self.openShard(shardId, in: shards, streamName: name)
            let second = try Self.openShard(adjacentShardId, in: shards, streamName: name)
            let (a, b) = (shards[first].range, shards[second].range)
            guard a.endingHashKey < .max && a.endingHashKey + 1 == b.startingHashKey || b.endingHashKey < .max && b.endingHashKey + 1 == a.startingHashKey else {
                throw .invalidArgument(
                    "Shards \(shardId) and \(adjacentShardId) in stream \(name) are not an adjacent pair of shards eligible for merging: their hash key ranges (\(a) and \(b)) must touch")
            }
            try Self.merge(first, second, in: &shards, nowMillis: now)
        }
    }

    /// UpdateShardCount (UNIFORM_SCALING): the open shards become `target` shards that
    /// split the key space evenly, through splits at the new boundaries and then merges
    /// of what falls within one new shard, so every shard has at most two parents and a
    /// reader that finishes parents before children sees each partition key in order.
    public func updateShardCount(_ target: Int) throws(StreamError) -> ReshardResult {
        try reshape { shards, now throws(StreamError) in
            let ranges = HashKeyRange.evenSplit(into: target)
            for boundary in ranges.dropFirst().map(\.startingHashKey) {
                guard let index = shards.firstIndex(where: { $0.isOpen && $0.range.startingHashKey < boundary && boundary <= $0.range.endingHashKey }) else {
                    continue
                }
                try Self.split(index, at: boundary, in: &shards, nowMillis: now)
            }
            for range in ranges {
                var within = shards.indices.filter { shards[$0].isOpen && range.contains(shards[$0].range.startingHashKey) }
                within.sort { shards[$0].range.startingHashKey < shards[$1].range.startingHashKey }
                guard var merged = within.first else { continue }
                for next in within.dropFirst() {
                    try Self.merge(merged, next, in: &shards, nowMillis: now)
                    merged = shards.count - 1
                }
            }
        }
    }

    /// Applies a change to a copy of the shards under the stream's lock, saves a durable
    /// stream's shards beside its log, then lets records go to the new open shards.
    /// Nothing changes if the change or the save fails.
    private func reshape(_ change: (inout [Shard], Int64) throws(StreamError) -> Void) throws(StreamError) -> ReshardResult {
        let now = clock.nowMillis()
        let directory = scratchDirectory == nil ? log.directory : nil
        return try state.withLock { state throws(StreamError) -> ReshardResult in
            var shards = state.shards
            let openBefore = shards.filter(\.isOpen).map(\.id)
            try change(&shards, now)
            guard shards.count - 1 <= SequenceNumber.maximumShardIndex else {
                throw .invalidArgument("stream \(name) would have more than \(SequenceNumber.maximumShardIndex + 1) shards, open and closed: nothing changed")
            }
            if let directory { try ShardLayout.write(shards, directory: directory) }
            let before = state.shards.count
            state.reshard(shards)
            changes.add(1, ordering: .releasing)
            let openAfter = shards.filter(\.isOpen).count
            return ReshardResult(
                closed: openBefore.filter { !shards[$0.index].isOpen } + shards[before...].filter { !$0.isOpen }.map(\.id),
                created: shards[before...].map(\.id), openBefore: openBefore.count, openAfter: openAfter)
        }
    }

    private static func openShard(_ shardId: ShardID, in shards: [Shard], streamName: String) throws(StreamError) -> Int {
        guard shardId.index < shards.count else {
            throw .resourceNotFound("Shard \(shardId) in stream \(streamName) does not exist (the stream has \(shards.count) shard\(shards.count == 1 ? "" : "s"))")
        }
        guard shards[shardId.index].isOpen else {
            throw .invalidArgument("Shard \(shardId) in stream \(streamName) has already been merged or split, and thus is not eligible for merging or splitting: ListShards with ShardFilter AT_LATEST gives the open shards")
        }
        return shardId.index
    }

    private static func split(_ index: Int, at key: UInt128, in shards: inout [Shard], nowMillis: Int64) throws(StreamError) {
        let range = shards[index].range
        shards[index].close(nowMillis: nowMillis)
        for child in [
            HashKeyRange(startingHashKey: range.startingHashKey, endingHashKey: key - 1),
            HashKeyRange(startingHashKey: key, endingHashKey: range.endingHashKey),
        ] {
            shards.append(Shard(id: ShardID(index: shards.count), range: child, parent: index, createdMillis: nowMillis))
        }
    }

    private static func merge(_ first: Int, _ second: Int, in shards: inout [Shard], nowMillis: Int64) throws(StreamError) {
        let range = HashKeyRange(
            startingHashKey: min(shards[first].range.startingHashKey, shards[second].range.startingHashKey),
            endingHashKey: max(shards[first].range.endingHashKey, shards[second].range.endingHashKey))
        shards[first].close(nowMillis: nowMillis)
        shards[second].close(nowMillis: nowMillis)
        shards.append(Shard(id: ShardID(index: shards.count), range: range, parent: first, adjacentParent: second, createdMillis: nowMillis))
    }
}

/// A resharded stream's shards, kept in `shards.json` beside its log (written whole,
/// atomically, before records go to new shards), so a restart finds the same lineage.
enum ShardLayout {
    static let file = "shards.json"

    struct Entry: Codable {
        var shardId: Int
        var startingHashKey: String
        var endingHashKey: String
        var parentShardId: Int?
        var adjacentParentShardId: Int?
        var createdMillis: Int64
        var endingCounter: UInt64?
        var closedMillis: Int64?
    }

    /// The saved shards, nil when the stream was never resharded.
    static func read(directory: String) throws -> [Shard]? {
        let path = directory + "/" + file
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let entries: [Entry]
        do {
            entries = try JSONDecoder().decode([Entry].self, from: data)
        } catch {
            throw StreamLogError("\(path) does not read as the stream's shards (\(error)): restore it from a backup, or move \(directory) away")
        }
        var shards: [Shard] = []
        for (position, entry) in entries.enumerated() {
            guard entry.shardId == position, let start = UInt128(entry.startingHashKey), let end = UInt128(entry.endingHashKey), start <= end,
                [entry.parentShardId, entry.adjacentParentShardId].allSatisfy({ $0.map { (0..<position).contains($0) } ?? true })
            else {
                throw StreamLogError("\(path) has a shard that is not valid at position \(position): restore it from a backup, or move \(directory) away")
            }
            shards.append(Shard(
                id: ShardID(index: position), range: HashKeyRange(startingHashKey: start, endingHashKey: end), parent: entry.parentShardId,
                adjacentParent: entry.adjacentParentShardId, createdMillis: entry.createdMillis, endingCounter: entry.endingCounter,
                closedMillis: entry.closedMillis))
        }
        guard !shards.isEmpty, shards.contains(where: \.isOpen) else {
            throw StreamLogError("\(path) has no open shard: restore it from a backup, or move \(directory) away")
        }
        return shards
    }

    static func write(_ shards: [Shard], directory: String) throws(StreamError) {
        let entries = shards.map { shard in
            Entry(
                shardId: shard.id.index, startingHashKey: String(shard.range.startingHashKey), endingHashKey: String(shard.range.endingHashKey),
                parentShardId: shard.parent, adjacentParentShardId: shard.adjacentParent, createdMillis: shard.createdMillis,
                endingCounter: shard.endingCounter, closedMillis: shard.closedMillis)
        }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(entries).write(to: URL(fileURLWithPath: directory + "/" + file), options: .atomic)
        } catch {
            throw .internalFailure("the stream's shards could not be saved in \(directory) (\(error)); nothing changed: retry later")
        }
    }
}
