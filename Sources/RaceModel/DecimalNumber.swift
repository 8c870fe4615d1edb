/// An exact decimal: `mantissa / 10^scale`. Record numbers are kept this way so
/// the transform's `output` is exact (`(61 + 35) * (54 + 65) / 100` is 114.24,
/// not 114.24000000000001) and numbers round-trip with the digits they came with.
public struct DecimalNumber: Sendable, Hashable, CustomStringConvertible {
    public var mantissa: Int64
    /// Digits after the decimal point, 0...18.
    public var scale: Int8

    public static let maxScale: Int8 = 18

    public init(mantissa: Int64, scale: Int8 = 0) {
        self.mantissa = mantissa
        self.scale = scale
    }

    public init(_ integer: Int) {
        self.init(mantissa: Int64(integer), scale: 0)
    }

    public var doubleValue: Double {
        // Exact when |mantissa| < 2^53 and scale <= 22: one correctly rounded division.
        Double(mantissa) / DecimalNumber.powersOfTen[Int(scale)]
    }

    public var isNegative: Bool { mantissa < 0 }

    /// Drops trailing fractional zeros: 110.40 → 110.4, 12.00 → 12.
    public func normalized() -> DecimalNumber {
        var m = mantissa
        var s = scale
        while s > 0 && m % 10 == 0 {
            m /= 10
            s -= 1
        }
        return DecimalNumber(mantissa: m, scale: s)
    }

    /// Appends the number as JSON text with exactly `scale` fractional digits.
    public func write(into out: inout [UInt8]) {
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { raw in
            let start = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var cursor = ByteCursor(start)
            cursor.decimal(self)
            out.append(contentsOf: UnsafeBufferPointer(start: start, count: cursor.position - start))
        }
    }

    public var description: String {
        var bytes: [UInt8] = []
        write(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    static let integerPowersOfTen: [Int64] = (0...18).map { exponent in
        var value: Int64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}

extension DecimalNumber: Comparable {
    public static func < (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        if lhs.scale == rhs.scale { return lhs.mantissa < rhs.mantissa }
        let (a, aOverflow) = lhs.rescaled(to: max(lhs.scale, rhs.scale))
        let (b, bOverflow) = rhs.rescaled(to: max(lhs.scale, rhs.scale))
        if aOverflow || bOverflow { return lhs.doubleValue < rhs.doubleValue }
        return a < b
    }

    private func rescaled(to target: Int8) -> (Int64, overflow: Bool) {
        let factor = DecimalNumber.integerPowersOfTen[Int(target - scale)]
        let (value, overflow) = mantissa.multipliedReportingOverflow(by: factor)
        return (value, overflow)
    }
}

extension DecimalNumber {
    /// The Alleycat transform: `output = (cadence + 35) * (resistance + 65) / 100`,
    /// computed exactly in decimal, trailing zeros dropped. A result the record format
    /// cannot hold (over 18 significant digits or places) and inputs too precise for
    /// 64-bit decimal arithmetic fall back to binary floating point rounded to 9 places.
    public static func output(cadence: DecimalNumber, resistance: DecimalNumber) -> DecimalNumber {
        let c = cadence.mantissa.addingReportingOverflow(35 &* integerPowersOfTen[Int(cadence.scale)])
        let r = resistance.mantissa.addingReportingOverflow(65 &* integerPowersOfTen[Int(resistance.scale)])
        let product = c.partialValue.multipliedReportingOverflow(by: r.partialValue)
        let scale = Int(cadence.scale) + Int(resistance.scale) + 2
        if !c.overflow, !r.overflow, !product.overflow, scale <= Int(maxScale) {
            let exact = DecimalNumber(mantissa: product.partialValue, scale: Int8(scale)).normalized()
            // Int64 holds 19 digits; the format (and RecordParser) 18. Found by fuzz-record-parser.
            if exact.mantissa.magnitude < 1_000_000_000_000_000_000 { return exact }
        }
        let value = (cadence.doubleValue + 35) * (resistance.doubleValue + 65) / 100
        return DecimalNumber(mantissa: Int64((value * 1e9).rounded()), scale: 9).normalized()
    }
}
