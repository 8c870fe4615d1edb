/// One shard's index and write-rate window. Owned by `KinesisStream`, always mutated
/// under its lock. The records themselves are in the log; the index keeps one `Run`
/// per shard per PutRecords call (its records are contiguous in the log), so memory
/// grows by a few bytes per call, not by the records' size.
struct Shard {
    let id: ShardID
    let range: HashKeyRange
    /// The lineage of a shard made by a split (one parent) or a merge (two).
    let parent: Int?
    let adjacentParent: Int?
    let createdMillis: Int64
    /// The counter of its last record once it is closed (a split or merge made its
    /// children); a closed shard takes no record.
    private(set) var endingCounter: UInt64?
    private(set) var closedMillis: Int64?
    var isOpen: Bool { endingCounter == nil }

    /// Consecutive records of this shard, back to back in the log: 32 bytes.
    struct Run {
        var offset: UInt64
        /// The byte count, and in its top bit whether the run is not yet committed.
        private var bytesAndPending: UInt32
        var count: UInt32
        var firstCounter: UInt64
        var arrivalMillis: Int64

        init(offset: UInt64, bytes: UInt32, count: UInt32, firstCounter: UInt64, arrivalMillis: Int64, committed: Bool) {
            precondition(bytes < 1 << 31, "a run holds less than 2 GiB")
            self.offset = offset
            self.bytesAndPending = bytes | (committed ? 0 : 1 << 31)
            self.count = count
            self.firstCounter = firstCounter
            self.arrivalMillis = arrivalMillis
        }

        var bytes: UInt32 {
            get { bytesAndPending & 0x7FFF_FFFF }
            set { bytesAndPending = newValue | (bytesAndPending & 1 << 31) }
        }

        /// Written (and synced) to the log, so readers may see it.
        var committed: Bool {
            get { bytesAndPending >> 31 == 0 }
            set { bytesAndPending = bytes | (newValue ? 0 : 1 << 31) }
        }

        var endCounter: UInt64 { firstCounter + UInt64(count) }
    }

    private(set) var runs: ContiguousArray<Run> = []
    /// Index in `runs` of the oldest retained run; trimmed ones are removed lazily.
    private(set) var head = 0
    /// Counter the next accepted record gets; counters start at 1.
    private(set) var nextCounter: UInt64 = 1
    private(set) var retainedCount = 0
    private var lastArrivalMillis: Int64 = .min
    private var windowSecond: Int64 = .min
    private var windowRecords = 0
    private var windowBytes = 0

    init(
        id: ShardID, range: HashKeyRange, parent: Int? = nil, adjacentParent: Int? = nil, createdMillis: Int64 = 0,
        endingCounter: UInt64? = nil, closedMillis: Int64? = nil
    ) {
        self.id = id
        self.range = range
        self.parent = parent
        self.adjacentParent = adjacentParent
        self.createdMillis = createdMillis
        self.endingCounter = endingCounter
        self.closedMillis = closedMillis
    }

    /// Closes the shard after the records it has taken (counters given out, stored or not).
    mutating func close(nowMillis: Int64) {
        endingCounter = nextCounter - 1
        closedMillis = nowMillis
    }

    /// Counter of the oldest retained record (or the next one when the shard is empty).
    var oldestCounter: UInt64 { head < runs.count ? runs[head].firstCounter : nextCounter }

    /// Where LATEST starts: after the newest record readers can see.
    var visibleCounter: UInt64 {
        var index = runs.count
        while index > head, !runs[index - 1].committed { index -= 1 }
        return index < runs.count ? runs[index].firstCounter : nextCounter
    }

    /// Takes a record if this second's window still has room, else refuses it.
    mutating func admit(size: Int, nowMillis: Int64, limits: ShardLimits) -> RateRefusal? {
        let second = nowMillis >= 0 ? nowMillis / 1000 : (nowMillis - 999) / 1000
        if second != windowSecond {
            windowSecond = second
            windowRecords = 0
            windowBytes = 0
        }
        if windowRecords + 1 > limits.recordsPerSecond { return .records }
        if windowBytes + size > limits.bytesPerSecond { return .bytes }
        windowRecords += 1
        windowBytes += size
        return nil
    }

    enum RateRefusal {
        case records, bytes
    }

    /// Gives out the next counter and the arrival time a record accepted now gets
    /// (arrival times never go backwards within a shard, so AT_TIMESTAMP can binary search).
    mutating func assign(nowMillis: Int64) -> (counter: UInt64, arrivalMillis: Int64) {
        defer { nextCounter += 1 }
        lastArrivalMillis = max(lastArrivalMillis, nowMillis)
        return (nextCounter, lastArrivalMillis)
    }

    /// Indexes records just appended to the log; readers see them once committed.
    mutating func add(_ run: Run) {
        if runs.count == runs.capacity { runs.reserveCapacity(max(1024, runs.count * 2)) }
        runs.append(run)
        retainedCount += Int(run.count)
    }

    /// Lets readers see the run that starts at `counter`.
    mutating func commit(runAt counter: UInt64) {
        if let index = index(ofRunAt: counter) { runs[index].committed = true }
    }

    /// Forgets a run the log could not store: its counters stay unused.
    mutating func remove(runAt counter: UInt64) {
        guard let index = index(ofRunAt: counter) else { return }
        retainedCount -= Int(runs[index].count)
        runs.remove(at: index)
    }

    /// Whether a record at or after `counter` is still to come: always while the shard is
    /// open; once closed, while a run (stored or still being written) ends after it.
    func hasRecords(from counter: UInt64) -> Bool {
        isOpen || firstRun(endingAfter: counter) < runs.count
    }

    private func index(ofRunAt counter: UInt64) -> Int? {
        let index = firstRun(endingAfter: counter)
        return index < runs.count && runs[index].firstCounter == counter ? index : nil
    }

    /// Index of the first retained run with a record at or after `counter`.
    private func firstRun(endingAfter counter: UInt64) -> Int {
        var low = head
        var high = runs.count
        while low < high {
            let mid = (low + high) / 2
            if runs[mid].endCounter <= counter { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Puts back a record read from the stream's log on start; false when it does not
    /// come after the shard's last one (counters may skip: those of records the log
    /// could not store were never used).
    mutating func restore(counter: UInt64, arrivalMillis: Int64, offset: UInt64, length: Int) -> Bool {
        guard counter >= nextCounter else { return false }
        nextCounter = counter + 1
        lastArrivalMillis = max(lastArrivalMillis, arrivalMillis)
        if var last = runs.last, last.offset + UInt64(last.bytes) == offset, last.endCounter == counter,
           last.arrivalMillis == lastArrivalMillis, Int(last.bytes) + length < 1 << 31 {
            last.bytes += UInt32(length)
            last.count += 1
            runs[runs.count - 1] = last
            retainedCount += 1
        } else {
            add(Run(offset: offset, bytes: UInt32(length), count: 1, firstCounter: counter, arrivalMillis: lastArrivalMillis, committed: true))
        }
        return true
    }

    /// Drops runs that arrived before `cutoffMillis` (the retention period) or whose
    /// segment is gone.
    mutating func trim(arrivedBefore cutoffMillis: Int64, offsetBelow oldestOffset: UInt64) {
        while head < runs.count, runs[head].committed, runs[head].arrivalMillis < cutoffMillis || runs[head].offset < oldestOffset {
            retainedCount -= Int(runs[head].count)
            head += 1
        }
        if head > 4096 && head * 2 > runs.count {
            runs.removeFirst(head)
            head = 0
        }
    }

    /// A part of a run to read: its records from the `skip`th on, `take` of them.
    struct Piece {
        var run: Run
        var skip: Int
        var take: Int
    }

    /// What to read for up to `limit` records (and about `maxBytes`) from `counter` on;
    /// a counter already trimmed starts at the oldest retained record.
    func plan(fromCounter counter: UInt64, limit: Int, maxBytes: Int) -> (pieces: [Piece], next: UInt64) {
        var pieces: [Piece] = []
        var index = firstRun(endingAfter: counter)
        var next = max(counter, oldestCounter)
        var records = 0
        var bytes = 0
        while index < runs.count, runs[index].committed, records < limit {
            let run = runs[index]
            let skip = next > run.firstCounter ? Int(next - run.firstCounter) : 0
            let take = min(Int(run.count) - skip, limit - records)
            let share = Int(run.bytes) * take / Int(run.count)
            if bytes + share > maxBytes && records > 0 { break }
            pieces.append(Piece(run: run, skip: skip, take: take))
            records += take
            bytes += share
            next = run.firstCounter + UInt64(skip + take)
            index += 1
        }
        return (pieces, next)
    }

    /// Counter of the first retained record that arrived at or after `millis`.
    func counter(atOrAfterMillis millis: Int64) -> UInt64 {
        var low = head
        var high = runs.count
        while low < high {
            let mid = (low + high) / 2
            if runs[mid].arrivalMillis < millis { low = mid + 1 } else { high = mid }
        }
        return low < runs.count ? runs[low].firstCounter : nextCounter
    }

    func arrivalOfNewest() -> Int64? {
        var index = runs.count
        while index > head, !runs[index - 1].committed { index -= 1 }
        return index > head ? runs[index - 1].arrivalMillis : nil
    }

    func arrival(ofCounter counter: UInt64) -> Int64? {
        let index = firstRun(endingAfter: counter)
        guard index < runs.count, runs[index].committed, runs[index].firstCounter <= counter else { return nil }
        return runs[index].arrivalMillis
    }
}
