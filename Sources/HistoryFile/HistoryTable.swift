import RaceModel
import Storage

/// One class's all-time per-second records (contract 4): for every second of the
/// race and every racer, the best output ever at that second. Values are kept as
/// exact decimals, so the file says 114.24 where the record said 114.24.
///
/// Kept by second, as the file is: each racer has a slot (in order of their first
/// record), and each second a column of 4-byte cells indexed by slot. A merge touches
/// the seconds its records are at, so copying the table (the merger publishes one to
/// readers) and re-writing the file cost what changed: a column's compressed text is
/// compressed again only when one of its values changes, and otherwise copied from the
/// file last written (see `file(level:previous:)`), so it is not kept in memory.
public struct HistoryTable: Sendable, Equatable {
    /// Slot → racer id.
    private var ids: [Int] = []
    /// Racer id → slot.
    private var slots: [Int: Int32] = [:]
    /// Index second - 1. The last column always holds a value.
    private var columns: [Column] = []
    /// Size and trailer of the file `file(level:previous:)` last made, whose pieces `Compressed.written` locates.
    private var written: (count: Int, trailer: [UInt8])?

    struct Column: Sendable {
        var values = PackedDecimals()
        var present = 0
        /// The column's text in the file (`"s":{...}`) compressed, while `values` are unchanged.
        var compressed: Compressed?
    }

    enum Compressed: Sendable {
        /// Made by `compress(seconds:level:)`, not yet written.
        case piece(GzipPiece)
        /// Where the deflate blocks are in the last file written.
        case written(Range<Int>, crc: UInt32, length: Int)
    }

    public init() {}

    /// Every racer with a record, ascending.
    public var racerIds: [Int] { ids.sorted() }

    /// The latest second with a record (0 when empty).
    public var seconds: Int { columns.count }

    public func contains(racerId: Int) -> Bool { slots[racerId] != nil }

    /// Keeps the larger of the stored and the given output. Returns whether it changed.
    @discardableResult
    public mutating func fold(racerId: Int, second: Int, output: DecimalNumber) -> Bool {
        precondition(second >= 1, "seconds start at 1")
        let slot: Int
        if let known = slots[racerId] {
            slot = Int(known)
        } else {
            slot = ids.count
            slots[racerId] = Int32(slot)
            ids.append(racerId)
        }
        if columns.count < second { columns.append(contentsOf: repeatElement(Column(), count: second - columns.count)) }
        return Self.update(&columns[second - 1], slot: slot, slotCount: ids.count, output: output)
    }

    // Static: a method on self here would copy the whole table on every call.
    private static func update(_ column: inout Column, slot: Int, slotCount: Int, output: DecimalNumber) -> Bool {
        let current = column.values[slot]
        if let current, !(current < output) { return false }
        // Grow to every racer known now, so a column grows once per merge, not once per racer.
        if column.values.count <= slot { column.values.reserveCells(slotCount) }
        column.values[slot] = output
        if current == nil { column.present += 1 }
        column.compressed = nil
        return true
    }

    /// Sets a racer's records to `outputs` (index second - 1, nil where none), replacing
    /// what the table held for them, higher or lower: after a race is voided, the racer's
    /// best of the races left. A racer left with no record leaves the table.
    public mutating func replace(racerId: Int, outputs: [DecimalNumber?]) {
        let slot: Int
        if let known = slots[racerId] {
            slot = Int(known)
        } else {
            guard outputs.contains(where: { $0 != nil }) else { return }
            slot = ids.count
            slots[racerId] = Int32(slot)
            ids.append(racerId)
        }
        if columns.count < outputs.count { columns.append(contentsOf: repeatElement(Column(), count: outputs.count - columns.count)) }
        for index in columns.indices {
            let value = index < outputs.count ? outputs[index] : nil
            guard columns[index].values[slot] != value else { continue }
            if columns[index].values.count <= slot { columns[index].values.reserveCells(ids.count) }
            let had = columns[index].values.contains(slot)
            columns[index].values[slot] = value
            columns[index].present += (value != nil ? 1 : 0) - (had ? 1 : 0)
            columns[index].compressed = nil
        }
        if !outputs.contains(where: { $0 != nil }) { remove(slot: slot) }
        while let last = columns.last, last.present == 0 { columns.removeLast() }
    }

    /// Takes an empty slot out: the last slot's racer moves into it, so slots stay dense.
    private mutating func remove(slot: Int) {
        let last = ids.count - 1
        slots[ids[slot]] = nil
        if slot != last {
            for index in columns.indices {
                let moved = columns[index].values[last]
                columns[index].values[slot] = moved
                columns[index].values[last] = nil
            }
            ids[slot] = ids[last]
            slots[ids[slot]] = Int32(slot)
        }
        ids.removeLast()
    }

    /// The best output of `racerId` at `second`, if any.
    public func best(racerId: Int, second: Int) -> DecimalNumber? {
        guard let slot = slots[racerId], second >= 1, second <= columns.count else { return nil }
        return columns[second - 1].values[Int(slot)]
    }

    /// Keeps, for every racer and second, the larger of this table's and `other`'s record:
    /// the union of two workers' merges. Returns whether anything changed.
    @discardableResult
    public mutating func fold(_ other: HistoryTable) -> Bool {
        var changed = false
        for second in stride(from: 1, through: other.seconds, by: 1) {
            for record in other.records(atSecond: second) where fold(racerId: record.racerId, second: second, output: record.output) {
                changed = true
            }
        }
        return changed
    }

    /// Every record at `second`, in no particular order.
    public func records(atSecond second: Int) -> [(racerId: Int, output: DecimalNumber)] {
        guard second >= 1, second <= columns.count else { return [] }
        let column = columns[second - 1]
        var records: [(racerId: Int, output: DecimalNumber)] = []
        records.reserveCapacity(column.present)
        for slot in 0..<column.values.count {
            if let value = column.values[slot] { records.append((ids[slot], value)) }
        }
        return records
    }

    public static func == (lhs: HistoryTable, rhs: HistoryTable) -> Bool {
        guard lhs.ids.count == rhs.ids.count, lhs.columns.count == rhs.columns.count,
              lhs.ids.allSatisfy({ rhs.slots[$0] != nil }) else { return false }
        for (second, column) in zip(1..., lhs.columns) {
            guard column.present == rhs.columns[second - 1].present else { return false }
            for slot in 0..<column.values.count where column.values.contains(slot) {
                guard rhs.best(racerId: lhs.ids[slot], second: second) == column.values[slot] else { return false }
            }
        }
        return true
    }

    // MARK: The file

    /// Slots in ascending racer id: the order the file lists racers in.
    private func slotOrder() -> [Int32] {
        (0..<Int32(ids.count)).sorted { ids[Int($0)] < ids[Int($1)] }
    }

    /// `"s":{"racerId":best,...}` for one non-empty second, racers ascending.
    private func text(ofSecond second: Int, order: [Int32]) -> [UInt8] {
        let column = columns[second - 1]
        // An entry is at most 20 (id) + 21 (number) + 4 bytes.
        return [UInt8](unsafeUninitializedCapacity: 24 + column.present * 45) { buffer, count in
            var cursor = ByteCursor(buffer.baseAddress!)
            cursor.byte(UInt8(ascii: "\""))
            cursor.integer(Int64(second))
            cursor.literal("\":{")
            var first = true
            for slot in order where column.values.contains(Int(slot)) {
                if !first { cursor.byte(UInt8(ascii: ",")) }
                first = false
                cursor.byte(UInt8(ascii: "\""))
                cursor.integer(Int64(ids[Int(slot)]))
                cursor.literal("\":")
                cursor.decimal(column.values[Int(slot)]!)
            }
            cursor.byte(UInt8(ascii: "}"))
            count = cursor.position - buffer.baseAddress!
        }
    }

    /// `{"second":{"racerId":best,...},...}`: seconds ascending, racers ascending, no spaces.
    public func json() -> [UInt8] {
        let order = slotOrder()
        var out: [UInt8] = [UInt8(ascii: "{")]
        for second in 1...max(1, columns.count) where second <= columns.count && columns[second - 1].present > 0 {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: text(ofSecond: second, order: order))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Seconds with records whose compressed text is out of date (changed since the last `file`).
    public var staleSeconds: [Int] {
        columns.indices.filter { columns[$0].present > 0 && columns[$0].compressed == nil }.map { $0 + 1 }
    }

    /// Compresses the text of `seconds` (each stale, from `staleSeconds`); pure, so several
    /// tables' or seconds' work can run on different threads, then go back in with `install`.
    public func compress(seconds: [Int], level: Int32) -> [GzipPiece] {
        let order = slotOrder()
        return seconds.map { GzipPiece(text(ofSecond: $0, order: order), level: level, last: false) }
    }

    /// Keeps pieces made by `compress(seconds:level:)` on this table's current values.
    public mutating func install(_ pieces: [GzipPiece], seconds: [Int]) {
        for (piece, second) in zip(pieces, seconds) { columns[second - 1].compressed = .piece(piece) }
    }

    private static let open = GzipPiece(Array("{".utf8), last: false)
    private static let comma = GzipPiece(Array(",".utf8), last: false)
    private static let close = GzipPiece(Array("}".utf8), last: true)

    /// Whether `file(level:previous:)` has made a file whose pieces the next call can copy.
    public var copiesFromPreviousFile: Bool { written != nil }

    /// The history file: gzip of `json()`, one ordinary gzip member. Seconds changed since
    /// the last call are compressed (unless `install` brought their pieces); the others are
    /// copied from `previous`, the file the last call made, when it is that file (same size
    /// and trailer), and compressed again when it is not (a first write, or a file replaced).
    public mutating func file(level: Int32 = 6, previous: [UInt8]?) -> [UInt8] {
        let reusable = previous.flatMap { previous in
            written.map { $0.count == previous.count && $0.trailer.elementsEqual(previous.suffix(8)) } == true ? previous : nil
        }
        let missing = columns.indices.filter { index in
            guard columns[index].present > 0 else { return false }
            switch columns[index].compressed {
            case .piece: return false
            case .written: return reusable == nil
            case nil: return true
            }
        }.map { $0 + 1 }
        install(compress(seconds: missing, level: level), seconds: missing)

        var member = GzipMember(capacity: reusable?.count ?? 0)
        member.append(Self.open)
        var first = true
        for index in columns.indices where columns[index].present > 0 {
            if !first { member.append(Self.comma) }
            first = false
            let range: Range<Int>
            let crc: UInt32
            let length: Int
            switch columns[index].compressed! {
            case .piece(let piece):
                range = member.append(piece)
                (crc, length) = (piece.crc, piece.length)
            case .written(let old, let oldCRC, let oldLength):
                range = reusable!.withUnsafeBytes { bytes in
                    member.append(deflated: UnsafeRawBufferPointer(rebasing: bytes[old]), crc: oldCRC, length: oldLength, isLast: false)
                }
                (crc, length) = (oldCRC, oldLength)
            }
            columns[index].compressed = .written(range, crc: crc, length: length)
        }
        member.append(Self.close)
        let bytes = member.finish()
        written = (bytes.count, Array(bytes.suffix(8)))
        return bytes
    }
}
