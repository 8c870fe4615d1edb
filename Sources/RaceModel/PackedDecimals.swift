/// A growable array of optional decimals in 4 bytes each, for tables of one value per
/// racer per second (100,000 riders × 300 seconds is 30 million cells). A value with
/// at most 14 fractional digits and a mantissa under 2^27 in magnitude (every output
/// of whole cadence and resistance up to 1,000: 11,022.00 is 1,102,200 at scale 2)
/// is packed in place; any other is kept exactly in a side table.
public struct PackedDecimals: Sendable {
    // Low 4 bits: the scale, or 15 for a cell that is not a packed value; above them
    // the mantissa (28 bits, signed). Scale 15 with mantissa 0 is "none", 1 "in `others`".
    private var cells: [UInt32] = []
    private var others: [Int32: DecimalNumber] = [:]

    private static let none: UInt32 = 15
    private static let elsewhere: UInt32 = 1 << 4 | 15

    public init() {}

    /// Cells held (the index past the last that was ever set); every index beyond is nil.
    public var count: Int { cells.count }

    public subscript(index: Int) -> DecimalNumber? {
        get {
            guard index < cells.count else { return nil }
            let cell = cells[index]
            let scale = cell & 15
            if scale != 15 { return DecimalNumber(mantissa: Int64(Int32(bitPattern: cell) >> 4), scale: Int8(scale)) }
            return cell == Self.none ? nil : others[Int32(index)]
        }
        set {
            if index >= cells.count {
                guard newValue != nil else { return }
                cells.append(contentsOf: repeatElement(Self.none, count: index + 1 - cells.count))
            }
            if cells[index] == Self.elsewhere { others[Int32(index)] = nil }
            guard let value = newValue else {
                cells[index] = Self.none
                return
            }
            if value.scale >= 0, value.scale < 15, value.mantissa.magnitude < 1 << 27 {
                cells[index] = UInt32(bitPattern: Int32(value.mantissa) << 4) | UInt32(value.scale)
            } else {
                cells[index] = Self.elsewhere
                others[Int32(index)] = value
            }
        }
    }

    /// Grows the storage to `count` cells at once (nil), so a column filled rider by rider grows once.
    public mutating func reserveCells(_ count: Int) {
        if count > cells.count { cells.append(contentsOf: repeatElement(Self.none, count: count - cells.count)) }
    }

    /// Whether the cell holds a value (cheaper than `self[index] != nil`).
    public func contains(_ index: Int) -> Bool {
        index < cells.count && cells[index] != Self.none
    }
}
