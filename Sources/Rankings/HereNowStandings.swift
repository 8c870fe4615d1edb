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
    init(raceId: Int64, second: Int, keys: consuming [Key]) {
        keys.sort { a, b in a.output != b.output ? a.output > b.output : a.racerId < b.racerId }
        var positions = [Int32](repeating: -1, count: keys.count)
        var entries: [HereNowView.Entry] = []
        entries.reserveCapacity(keys.count)
        for (index, key) in keys.enumerated() {
            entries.append(HereNowView.Entry(
                rank: index + 1, racerId: key.racerId, output: key.output, best: key.best, second: Int(key.second)))
            positions[Int(key.slot)] = Int32(index)
        }
        self.raceId = raceId
        self.second = second
        self.entries = entries
        self.positionOfSlot = positions
    }

    /// Index of the rider in `slot` in `entries`, if it was ranked at this second.
    func position(ofSlot slot: Int, racerId: Int) -> Int? {
        guard slot < positionOfSlot.count, positionOfSlot[slot] >= 0 else { return nil }
        let position = Int(positionOfSlot[slot])
        return entries[position].racerId == racerId ? position : nil
    }
}
