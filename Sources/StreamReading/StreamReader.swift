/// A named reader of every shard of a source: it resumes after its checkpoints (or
/// from `start` where it has none), reads the open shards round-robin within the
/// source's read limits, follows closed shards into their children (parents first),
/// and renews an iterator that expired from the last record it read.
///
/// One loop owns a reader (it is not Sendable): the loop that polls it is the only
/// one that can touch its positions.
public final class StreamReader {
    public let name: String
    public let source: any StreamSource
    public let checkpointStore: any CheckpointStore
    private let start: StartPosition
    private let now: () -> Int64

    private struct Cursor {
        var shard: SourceShard
        var iterator: SourceIterator?
        /// The last record read (or the checkpoint it resumed after).
        var last: RecordSequence?
        var nextReadMillis: Int64 = .min
        var millisBehind: Int64 = 0
    }

    private var cursors: [Cursor] = []
    /// Shards read to their end (closed), whose children may start.
    private var finished: Set<String> = []
    /// Shards this reader read to their end since `takeEndedShards()` last asked.
    private var ended: [String] = []
    /// Every shard the source listed last time, by id.
    private var known: [String: SourceShard] = [:]
    private var nextListMillis: Int64 = .min
    /// The source's change count at a poll that read every shard and found nothing.
    private var emptyAtChange: UInt64?
    /// The shards this reader may read, when leases share them among workers; nil is every shard.
    private var assigned: Set<String>?
    private var assignmentStarted = false
    /// The last error a read met, for health reports; nil after a read that worked.
    public private(set) var lastError: SourceError?

    /// Shards are listed again this often, to find the children of a reshard.
    public static let listIntervalMillis: Int64 = 10_000

    public init(
        name: String, source: any StreamSource, checkpoints: any CheckpointStore, start: StartPosition = .trimHorizon,
        now: @escaping () -> Int64
    ) throws(SourceError) {
        self.name = name
        self.source = source
        self.checkpointStore = checkpoints
        self.start = start
        self.now = now
        try refreshShards(saved: checkpoints.checkpoints(consumer: name))
    }

    /// How far behind the newest record the slowest shard was at its last read.
    public var millisBehindLatest: Int64 { cursors.map(\.millisBehind).max() ?? 0 }

    /// The shards being read now.
    public var shardIds: [String] { cursors.map(\.shard.shardId) }

    /// The shards read to their end (the records of each are in what `poll` returned) since
    /// the last call, so a consumer can say so once it has delivered them.
    public func takeEndedShards() -> [String] {
        defer { ended = [] }
        return ended
    }

    /// Reads only `shards` from now on (the leases a worker holds), resuming each new one
    /// after its checkpoint; `finishedElsewhere` are shards other workers read to their
    /// end, so their children may start here. Cursors of shards no longer assigned stop.
    public func assign(_ shards: Set<String>, finishedElsewhere: Set<String>) throws(SourceError) {
        // Unchanged (the usual case, asked before every read): no call to the source.
        if shards == assigned && finishedElsewhere.isSubset(of: finished) && assignmentStarted { return }
        // A shard newly assigned resumes from its checkpoint now, which its last holder moved.
        let previous = assigned ?? []
        assigned = shards
        finished.formUnion(finishedElsewhere)
        cursors.removeAll { !shards.contains($0.shard.shardId) || !previous.contains($0.shard.shardId) }
        emptyAtChange = nil
        // Until the shards are listed and started, every call tries again.
        assignmentStarted = false
        try refreshShards(saved: checkpointStore.checkpoints(consumer: name))
        assignmentStarted = true
    }

    /// Reads what is available, up to `limitPerShard` records from each shard whose
    /// read limit allows a read now.
    public func poll(limitPerShard: Int = Int.max) -> [StreamRecord] {
        let limit = min(limitPerShard, source.maximumReadLimit)
        var all: [StreamRecord] = []
        var closedOne = false
        let time = now()
        // Taken before the reads: a change during them gives a new count, so the next poll reads.
        let change = source.changeCount
        if let change, change == emptyAtChange, time < nextListMillis { return [] }
        var foundNothing = true
        for index in cursors.indices {
            guard cursors[index].nextReadMillis <= time else {
                foundNothing = false
                continue
            }
            do throws(SourceError) {
                let iterator = try currentIterator(index)
                let batch = try source.read(iterator, limit: limit)
                lastError = nil
                cursors[index].iterator = batch.next
                cursors[index].millisBehind = batch.millisBehindLatest
                cursors[index].nextReadMillis = source.minimumReadIntervalMillis > 0 ? time + source.minimumReadIntervalMillis : .min
                if let newest = batch.records.last { cursors[index].last = newest.sequenceNumber }
                if all.isEmpty { all = batch.records } else { all.append(contentsOf: batch.records) }
                if batch.next == nil {
                    finished.insert(cursors[index].shard.shardId)
                    ended.append(cursors[index].shard.shardId)
                    closedOne = true
                }
                if !batch.records.isEmpty || batch.next == nil { foundNothing = false }
            } catch {
                foundNothing = false
                lastError = error
                switch error {
                case .expiredIterator:
                    cursors[index].iterator = nil  // renewed from `last` at the next poll
                case .throttled, .failure:
                    cursors[index].nextReadMillis = time + 1000
                case .notFound:
                    finished.insert(cursors[index].shard.shardId)
                    closedOne = true
                }
            }
        }
        if closedOne || time >= nextListMillis {
            foundNothing = false
            cursors.removeAll { finished.contains($0.shard.shardId) }
            do throws(SourceError) {
                try refreshShards(saved: checkpointStore.checkpoints(consumer: name))
            } catch {
                lastError = error
                nextListMillis = time + 1000
            }
        }
        emptyAtChange = foundNothing ? change : nil
        return all
    }

    /// Records that the consumer is done with everything up to these positions.
    public func checkpoint(_ positions: [String: RecordSequence]) throws(SourceError) {
        guard !positions.isEmpty else { return }
        try checkpointStore.save(consumer: name, positions)
    }

    private func currentIterator(_ index: Int) throws(SourceError) -> SourceIterator {
        if let iterator = cursors[index].iterator { return iterator }
        let shard = cursors[index].shard
        let position: StartPosition = cursors[index].last.map { .afterSequenceNumber($0) } ?? start
        let iterator = try source.iterator(shardId: shard.shardId, start: position)
        cursors[index].iterator = iterator
        return iterator
    }

    /// Lists the shards and starts a cursor on each one not yet read whose parents are done.
    private func refreshShards(saved: [String: RecordSequence]) throws(SourceError) {
        let shards = try source.listShards()
        nextListMillis = now() + Self.listIntervalMillis
        known = Dictionary(shards.map { ($0.shardId, $0) }, uniquingKeysWith: { first, _ in first })
        let reading = Set(cursors.map(\.shard.shardId))
        for shard in shards where !reading.contains(shard.shardId) && !finished.contains(shard.shardId) && assigned?.contains(shard.shardId) != false {
            let checkpoint = saved[shard.shardId]
            if let ending = shard.endingSequenceNumber, let checkpoint, checkpoint >= ending {
                finished.insert(shard.shardId)
                continue
            }
            // A parent that is listed and not read to its end goes first; one past retention is gone.
            guard shard.parents.allSatisfy({ known[$0] == nil || finished.contains($0) }) else { continue }
            // A child of a shard this reader followed starts at its beginning, not at `start`.
            let followsParent = shard.parents.contains { finished.contains($0) }
            // The iterator is taken now, so LATEST and AT_TIMESTAMP mean the time the reader started.
            let position: StartPosition = checkpoint.map { .afterSequenceNumber($0) } ?? (followsParent ? .trimHorizon : start)
            var cursor = Cursor(shard: shard, last: checkpoint)
            cursor.iterator = try source.iterator(shardId: shard.shardId, start: position)
            cursors.append(cursor)
        }
        cursors.sort { $0.shard.shardId < $1.shard.shardId }
    }
}
