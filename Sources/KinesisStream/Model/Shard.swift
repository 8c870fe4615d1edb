/// One shard's records and write-rate window. Owned by `KinesisStream`, always
/// mutated under its lock.
struct Shard {
    let id: ShardID
    let range: HashKeyRange
    private(set) var records: ContiguousArray<StreamRecord> = []
    /// Index in `records` of the oldest retained record; trimmed ones are removed lazily.
    private(set) var head = 0
    /// Counter the next accepted record gets; counters start at 1.
    private(set) var nextCounter: UInt64 = 1
    /// Records below this counter may be read: on a durable stream, those whose log
    /// frames are synced (a reader never sees a record a crash could take back).
    private(set) var visibleCounter: UInt64 = 1
    private var lastArrivalMillis: Int64 = .min
    private var windowSecond: Int64 = .min
    private var windowRecords = 0
    private var windowBytes = 0

    init(id: ShardID, range: HashKeyRange) {
        self.id = id
        self.range = range
    }

    var retainedCount: Int { records.count - head }

    /// Counter of the oldest retained record (or the next one when the shard is empty).
    var oldestCounter: UInt64 { nextCounter - UInt64(retainedCount) }

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

    /// Appends a record whose bytes go into `arena`, the stream's: one arena for all
    /// shards, so a stream of many shards does not fault in a block per shard.
    mutating func append(partitionKey: String, data: [UInt8], nowMillis: Int64, arena: inout RecordArena?) -> SequenceNumber {
        // Arrival times never go backwards within a shard, so AT_TIMESTAMP can binary search.
        store(counter: nextCounter, arrivalMillis: max(lastArrivalMillis, nowMillis), partitionKey: partitionKey, data: data, arena: &arena)
    }

    /// Puts back a record read from the stream's log on start; false when it does not
    /// follow the shard's last one.
    mutating func restore(counter: UInt64, arrivalMillis: Int64, partitionKey: String, data: [UInt8], arena: inout RecordArena?) -> Bool {
        if retainedCount == 0 && counter >= nextCounter {
            nextCounter = counter
        } else if counter != nextCounter {
            return false
        }
        _ = store(counter: counter, arrivalMillis: max(lastArrivalMillis, arrivalMillis), partitionKey: partitionKey, data: data, arena: &arena)
        visibleCounter = nextCounter
        return true
    }

    /// Lets readers see records up to `counter`.
    mutating func publish(through counter: UInt64) {
        visibleCounter = max(visibleCounter, counter + 1)
    }

    private mutating func store(
        counter: UInt64, arrivalMillis: Int64, partitionKey: String, data: [UInt8], arena: inout RecordArena?
    ) -> SequenceNumber {
        let sequenceNumber = SequenceNumber(shardIndex: id.index, counter: counter)
        nextCounter = counter + 1
        lastArrivalMillis = arrivalMillis
        if arena.map({ $0.available < data.count }) ?? true {
            arena = RecordArena(minimumCapacity: data.count)
        }
        let offset = data.withUnsafeBytes { arena!.append($0) }
        if records.count == records.capacity {
            // Grow in large steps: every doubling copies the whole array into fresh pages.
            records.reserveCapacity(max(4096, records.count * 2))
        }
        records.append(StreamRecord(
            sequenceNumber: sequenceNumber, approximateArrivalMillis: arrivalMillis,
            partitionKey: partitionKey, data: RecordData(arena: arena!, offset: offset, count: data.count)))
        return sequenceNumber
    }

    /// Drops records that arrived before `cutoffMillis` (the retention period).
    mutating func trim(arrivedBefore cutoffMillis: Int64) {
        while head < records.count, records[head].approximateArrivalMillis < cutoffMillis {
            head += 1
        }
        if head > 4096 && head * 2 > records.count {
            records.removeFirst(head)
            head = 0
        }
    }

    /// Up to `limit` records (and `maxBytes`) from `counter` on; a counter already
    /// trimmed starts at the oldest retained record.
    func read(fromCounter counter: UInt64, limit: Int, maxBytes: Int) -> (records: [StreamRecord], next: UInt64) {
        let start = max(counter, oldestCounter)
        guard start < visibleCounter else { return ([], max(counter, start)) }
        let startIndex = head + Int(start - oldestCounter)
        let visibleEnd = head + Int(visibleCounter - oldestCounter)
        var endIndex = startIndex
        var bytes = 0
        while endIndex < visibleEnd, endIndex - startIndex < limit {
            bytes += records[endIndex].data.count
            if bytes > maxBytes && endIndex > startIndex { break }
            endIndex += 1
        }
        return (Array(records[startIndex..<endIndex]), start + UInt64(endIndex - startIndex))
    }

    /// Counter of the first retained record that arrived at or after `millis`.
    func counter(atOrAfterMillis millis: Int64) -> UInt64 {
        var low = head
        var high = records.count
        while low < high {
            let mid = (low + high) / 2
            if records[mid].approximateArrivalMillis < millis { low = mid + 1 } else { high = mid }
        }
        return oldestCounter + UInt64(low - head)
    }

    func arrivalOfNewest() -> Int64? {
        records.count > head ? records[records.count - 1].approximateArrivalMillis : nil
    }

    func arrival(ofCounter counter: UInt64) -> Int64? {
        guard counter >= oldestCounter, counter < nextCounter else { return nil }
        return records[head + Int(counter - oldestCounter)].approximateArrivalMillis
    }
}
