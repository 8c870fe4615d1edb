/// The "All time" ranking of a class at one second: live outputs and other
/// racers' records, sorted once and kept until the class publishes its next second.
struct AllTimeStandings: Sendable {
    /// A live rider's output at the second, with their record there.
    struct Live {
        var racerId: Int
        var slot: Int32
        var output: Double
        var record: Double?
    }

    /// A record holder with no live output at the second.
    struct Holder {
        var racerId: Int
        var record: Double
    }

    let raceId: Int64?
    let second: Int
    /// The class's publish count when built: a cached ranking is used only while it matches.
    let generation: Int
    let entries: [AllTimeView.Entry]
    /// Live rider slot → index in `entries`; -1 where the rider has no output at the second.
    let positionOfSlot: [Int32]

    init(raceId: Int64?, second: Int, generation: Int, live: [Live], holders: [Holder], slotCount: Int) {
        // Live riders carry their slot, record holders -1; one sort ranks them together.
        struct Key {
            var output: Double
            var racerId: Int
            var slot: Int32
            var record: Double?
        }
        var keys: [Key] = []
        keys.reserveCapacity(live.count + holders.count)
        for rider in live { keys.append(Key(output: rider.output, racerId: rider.racerId, slot: rider.slot, record: rider.record)) }
        for holder in holders { keys.append(Key(output: holder.record, racerId: holder.racerId, slot: -1, record: holder.record)) }
        keys.sort { a, b in a.output != b.output ? a.output > b.output : a.racerId < b.racerId }

        var positions = [Int32](repeating: -1, count: slotCount)
        var entries: [AllTimeView.Entry] = []
        entries.reserveCapacity(keys.count)
        for (index, key) in keys.enumerated() {
            let live = key.slot >= 0
            let newRecord = live && (key.record.map { key.output > $0 } ?? true)
            entries.append(AllTimeView.Entry(
                rank: index + 1, racerId: key.racerId, output: key.output, live: live, newRecord: newRecord,
                record: key.record))
            if live { positions[Int(key.slot)] = Int32(index) }
        }
        self.raceId = raceId
        self.second = second
        self.generation = generation
        self.entries = entries
        self.positionOfSlot = positions
    }

    /// Index of the racer in `entries`: by slot for a live rider, else by a scan
    /// (a racer without a live output at this second is rarely asked for).
    func position(ofRacer racerId: Int, slot: Int?) -> Int? {
        if let slot, slot < positionOfSlot.count, positionOfSlot[slot] >= 0,
           entries[Int(positionOfSlot[slot])].racerId == racerId {
            return Int(positionOfSlot[slot])
        }
        return entries.firstIndex { $0.racerId == racerId }
    }
}
