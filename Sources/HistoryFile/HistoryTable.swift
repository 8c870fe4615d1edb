import RaceModel
import Storage

/// One class's all-time per-second records (contract 4): for every second of the
/// race and every racer, the best output ever at that second. Values are kept as
/// exact decimals, so the file says 114.24 where the record said 114.24.
///
/// Kept by second, as the file is: each racer has a slot (in order of their first
/// record), and each second a column of 4-byte cells indexed by slot. A merge touches
/// the seconds its records are at, so copying the table (the merger publishes one to
/// readers) and re-writing the file cost what changed: a column keeps its compressed
/// text until one of its values changes (see `gzip`).
public struct HistoryTable: Sendable, Equatable {
    /// Slot → racer id.
    private var ids: [Int] = []
    /// Racer id → slot.
    private var slots: [Int: Int32] = [:]
    /// Index second - 1. The last column always holds a value.
    private var columns: [Column] = []

    struct Column: Sendable {
        var values = PackedDecimals()
        var present = 0
        /// The column's text in the file (`"s":{...}`) compressed, while `values` are unchanged.
        var piece: GzipPiece?
    }

    public init() {}

    /// Racers with at least one record.
    public var racerCount: Int { ids.count }

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
        column.piece = nil
        return true
    }

    /// The best output of `racerId` at `second`, if any.
    public func best(racerId: Int, second: Int) -> DecimalNumber? {
        guard let slot = slots[racerId], second >= 1, second <= columns.count else { return nil }
        return columns[second - 1].values[Int(slot)]
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

    /// Seconds with records whose compressed text is out of date (changed since `gzip` last ran).
    public var staleSeconds: [Int] {
        columns.indices.filter { columns[$0].present > 0 && columns[$0].piece == nil }.map { $0 + 1 }
    }

    /// Compresses the text of `seconds` (each stale, from `staleSeconds`); pure, so several
    /// tables' or seconds' work can run on different threads, then go back in with `install`.
    public func compress(seconds: [Int], level: Int32) -> [GzipPiece] {
        let order = slotOrder()
        return seconds.map { GzipPiece(text(ofSecond: $0, order: order), level: level, last: false) }
    }

    /// Keeps pieces made by `compress(seconds:level:)` on this table's current values.
    public mutating func install(_ pieces: [GzipPiece], seconds: [Int]) {
        for (piece, second) in zip(pieces, seconds) { columns[second - 1].piece = piece }
    }

    private static let open = GzipPiece(Array("{".utf8), last: false)
    private static let comma = GzipPiece(Array(",".utf8), last: false)
    private static let close = GzipPiece(Array("}".utf8), last: true)

    /// The history file: gzip of `json()`, one ordinary gzip member. Only the seconds
    /// changed since the last call are compressed again; the others reuse their pieces.
    public mutating func gzip(level: Int32 = 6) -> [UInt8] {
        let stale = staleSeconds
        install(compress(seconds: stale, level: level), seconds: stale)
        var pieces = [Self.open]
        for column in columns where column.present > 0 {
            if pieces.count > 1 { pieces.append(Self.comma) }
            pieces.append(column.piece!)
        }
        pieces.append(Self.close)
        return Gzip.member(pieces)
    }
}
