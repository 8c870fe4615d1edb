import RaceModel

/// One class's all-time per-second records (contract 4): for every second of the
/// race and every racer, the best output ever at that second. Values are kept as
/// exact decimals, so the file says 114.24 where the record said 114.24.
public struct HistoryTable: Sendable, Equatable {
    /// racerId → outputs by second (index second - 1); `missing` where none yet.
    public private(set) var racers: [Int: [DecimalNumber]] = [:]

    static let missing = DecimalNumber(mantissa: 0, scale: -1)

    public init() {}

    /// Keeps the larger of the stored and the given output. Returns whether it changed.
    @discardableResult
    public mutating func fold(racerId: Int, second: Int, output: DecimalNumber) -> Bool {
        precondition(second >= 1, "seconds start at 1")
        return Self.update(&racers[racerId, default: []], second: second, output: output)
    }

    // Static: a method on self here would copy the whole table on every call.
    private static func update(_ series: inout [DecimalNumber], second: Int, output: DecimalNumber) -> Bool {
        if series.count < second {
            series.append(contentsOf: repeatElement(Self.missing, count: second - series.count))
        }
        let current = series[second - 1]
        if current.scale < 0 || current < output {
            series[second - 1] = output
            return true
        }
        return false
    }

    /// The best output of `racerId` at `second`, if any.
    public func best(racerId: Int, second: Int) -> DecimalNumber? {
        guard let series = racers[racerId], second >= 1, second <= series.count else { return nil }
        let value = series[second - 1]
        return value.scale < 0 ? nil : value
    }

    /// `{"second":{"racerId":best,...},...}`: seconds ascending, racers ascending, no spaces.
    public func json() -> [UInt8] {
        let ids = racers.keys.sorted()
        let ordered = ids.map { racers[$0]! }
        let longest = ordered.map(\.count).max() ?? 0
        // An entry is at most 20 (id) + 21 (number) + 4 bytes.
        var out = [UInt8](repeating: 0, count: 2 + longest * 32 + ordered.reduce(0) { $0 + $1.count * 48 })
        let count = out.withUnsafeMutableBufferPointer { buffer -> Int in
            var cursor = ByteCursor(buffer.baseAddress!)
            cursor.byte(UInt8(ascii: "{"))
            var firstSecond = true
            for second in 0..<longest {
                var firstRacer = true
                for (index, series) in ordered.enumerated() where series.count > second && series[second].scale >= 0 {
                    if firstRacer {
                        if !firstSecond { cursor.byte(UInt8(ascii: ",")) }
                        firstSecond = false
                        cursor.byte(UInt8(ascii: "\""))
                        cursor.integer(Int64(second + 1))
                        cursor.literal("\":{")
                        firstRacer = false
                    } else {
                        cursor.byte(UInt8(ascii: ","))
                    }
                    cursor.byte(UInt8(ascii: "\""))
                    cursor.integer(Int64(ids[index]))
                    cursor.literal("\":")
                    cursor.decimal(series[second])
                }
                if !firstRacer { cursor.byte(UInt8(ascii: "}")) }
            }
            cursor.byte(UInt8(ascii: "}"))
            return cursor.position - buffer.baseAddress!
        }
        out.removeLast(out.count - count)
        return out
    }
}
