/// The "Here now" ranking of a class as published at one second: sorted once,
/// then shared by the update and by every query until the next second.
struct HereNowStandings: Sendable {
    /// One rider's sort key, gathered from the race state.
    struct Key {
        var output: Double
        var best: Double
        var racerId: Int
        var second: Int32
        var slot: Int32
    }

    let raceId: Int64
    let second: Int
    let entries: [HereNowView.Entry]
    /// Rider slot (see `ClassRace`) → index in `entries`.
    let positionOfSlot: [Int32]

    /// Sorts by output descending, then racer id ascending, and numbers the ranks.
    /// `previous`, the class's last standings, lets a rider whose output has not
    /// changed keep its place: only the riders heard from since are sorted and merged in.
    init(raceId: Int64, second: Int, keys: consuming [Key], previous: HereNowStandings? = nil) {
        let order = previous.map { $0.raceId == raceId ? Self.rankOrder(keys, after: $0) : Self.rankOrder(keys) } ?? Self.rankOrder(keys)
        var positions = [Int32](repeating: -1, count: keys.count)
        var entries: [HereNowView.Entry] = []
        entries.reserveCapacity(keys.count)
        for (rank, index) in order.enumerated() {
            let key = keys[Int(index)]
            entries.append(HereNowView.Entry(
                rank: rank + 1, racerId: key.racerId, output: key.output, best: key.best, second: Int(key.second)))
            positions[Int(key.slot)] = Int32(rank)
        }
        self.raceId = raceId
        self.second = second
        self.entries = entries
        self.positionOfSlot = positions
    }

    /// `rankOrder(keys)`, computed from the previous standings of the same race: riders
    /// (slots) whose racer id and output are what `previous` ranked stay in its order;
    /// the others are sorted and merged in. Keys are indexed by slot.
    static func rankOrder(_ keys: [Key], after previous: HereNowStandings) -> [Int32] {
        let count = keys.count
        var slotAt = [Int32](repeating: -1, count: previous.entries.count)
        for (slot, position) in previous.positionOfSlot.enumerated() where position >= 0 { slotAt[Int(position)] = Int32(slot) }
        var moved = [Bool](repeating: true, count: count)
        var kept: [Int32] = []
        kept.reserveCapacity(count)
        for (position, entry) in previous.entries.enumerated() {
            let slot = Int(slotAt[position])
            guard slot >= 0, slot < count, keys[slot].racerId == entry.racerId, keys[slot].output == entry.output else { continue }
            kept.append(Int32(slot))
            moved[slot] = false
        }
        var changed = (0..<Int32(count)).filter { moved[Int($0)] }
        // When most riders moved, sorting them all is cheaper than merging.
        if changed.count * 4 > count { return rankOrder(keys) }
        let before = { (a: Int32, b: Int32) -> Bool in
            let x = keys[Int(a)], y = keys[Int(b)]
            return x.output != y.output ? x.output > y.output : x.racerId < y.racerId
        }
        changed.sort(by: before)
        var order: [Int32] = []
        order.reserveCapacity(count)
        var i = 0
        var j = 0
        while i < kept.count && j < changed.count {
            if before(changed[j], kept[i]) {
                order.append(changed[j])
                j += 1
            } else {
                order.append(kept[i])
                i += 1
            }
        }
        order.append(contentsOf: kept[i...])
        order.append(contentsOf: changed[j...])
        return order
    }

    /// Indexes of `keys` by output descending, then racer id ascending. A standings is
    /// built for every class at every update (every 20 ms under load, 16,000 riders a
    /// class at 100,000 riders), so this is a radix sort on the bits, not comparisons:
    /// stable byte passes on the racer id, then on the output, skipping bytes all keys share.
    static func rankOrder(_ keys: [Key]) -> [Int32] {
        let count = keys.count
        var order = (0..<Int32(count)).map { $0 }
        guard count > 1 else { return order }
        // Ascending order of these is the ranking order.
        let outputs = keys.map { key -> UInt64 in
            let bits = (key.output == 0 ? 0.0 : key.output).bitPattern  // -0 ranks as 0
            let ascending = bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
            return ~ascending
        }
        let racerIds = keys.map { UInt64(bitPattern: Int64($0.racerId)) ^ (1 << 63) }
        var scratch = [Int32](repeating: 0, count: count)
        for values in [racerIds, outputs] {
            values.withUnsafeBufferPointer { values in
                for shift in stride(from: UInt64(0), to: 64, by: 8) {
                    var counts = [Int](repeating: 0, count: 256)
                    for value in values { counts[Int(truncatingIfNeeded: value >> shift) & 0xFF] += 1 }
                    if counts.contains(count) { continue }  // every key has this byte: nothing to order
                    var start = 0
                    for bucket in 0..<256 {
                        let size = counts[bucket]
                        counts[bucket] = start
                        start += size
                    }
                    for index in order {
                        let bucket = Int(truncatingIfNeeded: values[Int(index)] >> shift) & 0xFF
                        scratch[counts[bucket]] = index
                        counts[bucket] += 1
                    }
                    swap(&order, &scratch)
                }
            }
        }
        return order
    }

    /// Index of the rider in `slot` in `entries`, if it was ranked at this second.
    func position(ofSlot slot: Int, racerId: Int) -> Int? {
        guard slot < positionOfSlot.count, positionOfSlot[slot] >= 0 else { return nil }
        let position = Int(positionOfSlot[slot])
        return entries[position].racerId == racerId ? position : nil
    }
}
