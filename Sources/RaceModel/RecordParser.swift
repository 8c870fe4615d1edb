#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Reads the rider record format (contract 1) straight from UTF-8 bytes: strict
/// RFC 8259 JSON, one object, known fields typed and range-checked, unknown members
/// kept verbatim. This is the record hot path, so it never builds a generic JSON tree.
public enum RecordParser {
    public static func parse(_ bytes: [UInt8], rules: RecordRules = .standard) throws(RecordError) -> RaceMessage {
        // A typed throw cannot cross withUnsafeBufferPointer's rethrows, so carry it out as a Result.
        let result: Result<RaceMessage, RecordError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(RecordError) -> RaceMessage in try parse(buffer, rules: rules) }
        }
        return try result.get()
    }

    public static func parse(_ bytes: ArraySlice<UInt8>, rules: RecordRules = .standard) throws(RecordError) -> RaceMessage {
        let result: Result<RaceMessage, RecordError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(RecordError) -> RaceMessage in try parse(buffer, rules: rules) }
        }
        return try result.get()
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, rules: RecordRules = .standard) throws(RecordError) -> RaceMessage {
        var reader = RecordReader(buffer)
        return try reader.readMessage(rules: rules)
    }
}

/// Field bits, in the order checks are reported.
private enum Field: Int {
    case uuid, event, deviceTimestamp, second, raceId, name, racerId, classId, cadence, resistance, output

    var name: String {
        switch self {
        case .uuid: "uuid"
        case .event: "event"
        case .deviceTimestamp: "deviceTimestamp"
        case .second: "second"
        case .raceId: "raceId"
        case .name: "name"
        case .racerId: "racerId"
        case .classId: "classId"
        case .cadence: "cadence"
        case .resistance: "resistance"
        case .output: "output"
        }
    }

    static let required: [Field] = [.event, .deviceTimestamp, .second, .raceId, .name, .racerId, .classId, .cadence, .resistance]

    /// Matches a raw key (no escapes) by length first, then bytes.
    static func match(_ key: UnsafeBufferPointer<UInt8>) -> Field? {
        func equals(_ literal: StaticString) -> Bool {
            literal.utf8CodeUnitCount == key.count
                && memcmp(literal.utf8Start, key.baseAddress!, key.count) == 0
        }
        switch key.count {
        case 4:
            if equals("uuid") { return .uuid }
            if equals("name") { return .name }
        case 5:
            if equals("event") { return .event }
        case 6:
            if equals("second") { return .second }
            if equals("raceId") { return .raceId }
            if equals("output") { return .output }
        case 7:
            if equals("racerId") { return .racerId }
            if equals("classId") { return .classId }
            if equals("cadence") { return .cadence }
        case 10:
            if equals("resistance") { return .resistance }
        case 15:
            if equals("deviceTimestamp") { return .deviceTimestamp }
        default:
            break
        }
        return nil
    }
}

/// A JSON number as read: digits accumulated, decimal exponent kept apart.
struct NumberToken {
    var negative = false
    var digits: UInt64 = 0
    var significantDigits = 0
    var fractionDigits = 0
    var exponent = 0
    var hasFraction = false
    var hasExponent = false
    var start = 0
    var end = 0

    /// The value as an exact decimal, or nil when it needs more than 18 digits / places.
    var decimal: DecimalNumber? {
        if significantDigits > 18 { return nil }
        var scale = fractionDigits - exponent
        var magnitude = digits
        if scale < 0 {
            if scale < -18 { return digits == 0 ? DecimalNumber(mantissa: 0) : nil }
            let (value, overflow) = magnitude.multipliedReportingOverflow(by: UInt64(DecimalNumber.integerPowersOfTen[-scale]))
            if overflow || value > UInt64(Int64.max) { return nil }
            magnitude = value
            scale = 0
        }
        if scale > Int(DecimalNumber.maxScale) {
            // Trailing zeros beyond 18 places are harmless ("1.0000000000000000000").
            while scale > Int(DecimalNumber.maxScale) && magnitude % 10 == 0 && magnitude != 0 {
                magnitude /= 10
                scale -= 1
            }
            if magnitude == 0 { return DecimalNumber(mantissa: 0) }
            if scale > Int(DecimalNumber.maxScale) { return nil }
        }
        let signed = Int64(magnitude)
        return DecimalNumber(mantissa: negative ? -signed : signed, scale: Int8(scale))
    }
}

struct RecordReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Message

    mutating func readMessage(rules: RecordRules) throws(RecordError) -> RaceMessage {
        var seen: UInt16 = 0
        var uuid: String?
        var event: RaceMessage.Event = .update
        var deviceTimestamp: Int64 = 0
        var second: Int64 = 0
        var raceId: Int64 = 0
        var name = ""
        var racerId: Int64 = 0
        var classId: Int64 = 0
        var cadence = DecimalNumber(0)
        var resistance = DecimalNumber(0)
        var output: DecimalNumber?
        var unknown: [UInt8] = []

        skipWhitespace()
        guard index < bytes.count else { throw .malformed(offset: index, reason: "empty record") }
        guard bytes[index] == UInt8(ascii: "{") else {
            if bytes[index] == UInt8(ascii: "[") || bytes[index] == UInt8(ascii: "\"") || isNumberStart(bytes[index]) {
                throw .notAnObject
            }
            throw unexpected()
        }
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw unexpected(expecting: "a field name in quotes") }
                let keyStart = index
                let key = try readKey()
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw unexpected(expecting: "':'") }
                index += 1
                skipWhitespace()
                if let field = key.field {
                    let bit: UInt16 = 1 << UInt16(field.rawValue)
                    if seen & bit != 0 { throw .duplicateField(field.name) }
                    seen |= bit
                    switch field {
                    case .uuid:
                        if peek() == UInt8(ascii: "n") {
                            try readNull(field)
                        } else {
                            uuid = try readString(field)
                        }
                    case .event:
                        event = try readEvent()
                    case .name:
                        name = try readString(field)
                    case .deviceTimestamp:
                        deviceTimestamp = try readInteger(field)
                    case .second:
                        second = try readInteger(field)
                    case .raceId:
                        raceId = try readInteger(field)
                    case .racerId:
                        racerId = try readInteger(field)
                    case .classId:
                        classId = try readInteger(field)
                    case .cadence:
                        cadence = try readDecimal(field, maximum: RecordRules.maximumCadence)
                    case .resistance:
                        resistance = try readDecimal(field, maximum: RecordRules.maximumResistance)
                    case .output:
                        output = try readDecimal(field, maximum: nil)
                    }
                } else {
                    try skipValue(depth: 0)
                    if !unknown.isEmpty { unknown.append(UInt8(ascii: ",")) }
                    appendCompact(from: keyStart, to: index, into: &unknown)
                }
                skipWhitespace()
                guard index < bytes.count else { throw .malformed(offset: index, reason: "record ends inside the object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    break
                }
                throw unexpected(expecting: "',' or '}'")
            }
        }
        skipWhitespace()
        if index < bytes.count { throw unexpected(expecting: "the end of the record") }

        // Every required field's bit, spelled out so the check costs one comparison.
        let requiredMask: UInt16 = 0b0011_1111_1110
        if seen & requiredMask != requiredMask {
            for field in Field.required where seen & (1 << UInt16(field.rawValue)) == 0 {
                throw .missingField(field.name)
            }
        }
        if deviceTimestamp < 0 { throw .outOfRange(field: "deviceTimestamp", value: "\(deviceTimestamp)", rule: ">= 0") }
        if second < 1 || second > Int64(rules.raceLength) {
            throw .outOfRange(field: "second", value: "\(second)", rule: "in 1...\(rules.raceLength)")
        }
        if raceId < 0 { throw .outOfRange(field: "raceId", value: "\(raceId)", rule: ">= 0") }
        if racerId < 0 { throw .outOfRange(field: "racerId", value: "\(racerId)", rule: ">= 0") }
        if classId < 1 || classId > 6 {
            throw .outOfRange(field: "classId", value: "\(classId)", rule: "in \(ExerciseClass.validIds.lowerBound)...\(ExerciseClass.validIds.upperBound)")
        }
        if cadence.isNegative { throw .outOfRange(field: "cadence", value: "\(cadence)", rule: ">= 0") }
        if resistance.isNegative { throw .outOfRange(field: "resistance", value: "\(resistance)", rule: ">= 0") }

        return RaceMessage(
            uuid: uuid, event: event, deviceTimestamp: deviceTimestamp, second: Int(second), raceId: raceId,
            name: name, racerId: Int(racerId), classId: Int(classId), cadence: cadence, resistance: resistance,
            output: output, unknownFields: unknown)
    }

    // MARK: Fields

    private struct Key {
        var field: Field?
    }

    private mutating func readKey() throws(RecordError) -> Key {
        let start = index + 1
        // Fast path: a known field name spelled plainly, checked in place without scanning.
        if let (field, length) = knownKey(at: start) {
            index = start + length + 1
            return Key(field: field)
        }
        let hasEscape = try scanString()
        if hasEscape {
            // A key spelled with escapes ("\u0073econd") still names the field.
            let decoded = try decodeString(from: start, to: index - 1)
            return decoded.withUnsafeBufferPointer { Key(field: Field.match($0)) }
        }
        return Key(field: Field.match(UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])))
    }

    /// The field whose name, then a closing quote, starts at `start`.
    @inline(__always)
    private func knownKey(at start: Int) -> (Field, Int)? {
        guard start < bytes.count else { return nil }
        @inline(__always)
        func matches(_ field: Field, _ literal: StaticString) -> (Field, Int)? {
            let length = literal.utf8CodeUnitCount
            guard start + length < bytes.count, bytes[start + length] == UInt8(ascii: "\""),
                  memcmp(literal.utf8Start, bytes.baseAddress! + start, length) == 0
            else { return nil }
            return (field, length)
        }
        switch bytes[start] {
        case UInt8(ascii: "e"): return matches(.event, "event")
        case UInt8(ascii: "d"): return matches(.deviceTimestamp, "deviceTimestamp")
        case UInt8(ascii: "s"): return matches(.second, "second")
        case UInt8(ascii: "n"): return matches(.name, "name")
        case UInt8(ascii: "u"): return matches(.uuid, "uuid")
        case UInt8(ascii: "o"): return matches(.output, "output")
        case UInt8(ascii: "c"): return matches(.classId, "classId") ?? matches(.cadence, "cadence")
        case UInt8(ascii: "r"): return matches(.raceId, "raceId") ?? matches(.racerId, "racerId") ?? matches(.resistance, "resistance")
        default: return nil
        }
    }

    private mutating func readNull(_ field: Field) throws(RecordError) {
        let start = index
        if matchLiteral("null") { return }
        try skipValue(depth: 0)
        throw .wrongType(field: field.name, value: text(from: start), expected: "a string")
    }

    private mutating func readString(_ field: Field) throws(RecordError) -> String {
        let valueStart = index
        guard peek() == UInt8(ascii: "\"") else {
            try skipValue(depth: 0)
            throw .wrongType(field: field.name, value: text(from: valueStart), expected: "a string")
        }
        let start = index + 1
        let hasEscape = try scanString()
        let end = index - 1
        if hasEscape {
            let decoded = try decodeString(from: start, to: end)
            guard let string = String(validating: decoded, as: UTF8.self) else {
                throw .malformed(offset: start, reason: "\(field.name) is not valid UTF-8")
            }
            return string
        }
        guard let string = String(utf8Bytes: UnsafeBufferPointer(rebasing: bytes[start..<end])) else {
            throw .malformed(offset: start, reason: "\(field.name) is not valid UTF-8")
        }
        return string
    }

    private mutating func readEvent() throws(RecordError) -> RaceMessage.Event {
        let valueStart = index
        guard peek() == UInt8(ascii: "\"") else {
            try skipValue(depth: 0)
            throw .wrongType(field: "event", value: text(from: valueStart), expected: "\"update\" or \"final\"")
        }
        let start = index + 1
        _ = try scanString()
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])
        if raw.count == 6 && memcmp(raw.baseAddress!, "update", 6) == 0 { return .update }
        if raw.count == 5 && memcmp(raw.baseAddress!, "final", 5) == 0 { return .final }
        throw .outOfRange(field: "event", value: text(from: valueStart), rule: "\"update\" or \"final\"")
    }

    private mutating func readInteger(_ field: Field) throws(RecordError) -> Int64 {
        let token = try readNumber(field, expected: "a whole number")
        if token.hasFraction || token.hasExponent {
            throw .wrongType(field: field.name, value: text(token), expected: "a whole number")
        }
        if token.significantDigits > 18 {
            throw .outOfRange(field: field.name, value: text(token), rule: "at most 18 digits")
        }
        let magnitude = Int64(token.digits)
        return token.negative ? -magnitude : magnitude
    }

    private mutating func readDecimal(_ field: Field, maximum: DecimalNumber?) throws(RecordError) -> DecimalNumber {
        let token = try readNumber(field, expected: "a number")
        guard let value = token.decimal else {
            // Too many digits: either absurdly large, or more precise than 18 places.
            let large = token.significantDigits - token.fractionDigits + token.exponent > 18
            if large, let maximum {
                throw .outOfRange(field: field.name, value: text(token), rule: "<= \(maximum)")
            }
            throw .outOfRange(field: field.name, value: text(token), rule: "a number with at most 18 significant digits and 18 decimal places")
        }
        if let maximum, value > maximum {
            throw .outOfRange(field: field.name, value: text(token), rule: "<= \(maximum)")
        }
        return value
    }

    private mutating func readNumber(_ field: Field, expected: String) throws(RecordError) -> NumberToken {
        let start = index
        guard index < bytes.count else { throw .malformed(offset: index, reason: "record ends before the value of \(field.name)") }
        let first = bytes[index]
        if isNumberStart(first) {
            if first == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "I") {
                index += 1
                if matchLiteral("Infinity") {
                    throw .outOfRange(field: field.name, value: "-Infinity", rule: "a finite number")
                }
                index = start
            }
            return try scanNumber()
        }
        for literal in ["NaN", "Infinity"] where first == literal.utf8.first {
            if matchLiteral(literal) { throw .outOfRange(field: field.name, value: literal, rule: "a finite number") }
        }
        try skipValue(depth: 0)
        throw .wrongType(field: field.name, value: text(from: start), expected: expected)
    }

    // MARK: Lexing

    @inline(__always)
    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    @inline(__always)
    private func isNumberStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || (byte >= 0x30 && byte <= 0x39)
    }

    private mutating func matchLiteral(_ literal: String) -> Bool {
        var position = index
        for byte in literal.utf8 {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
        }
        index = position
        return true
    }

    /// Moves past a string starting at the opening quote; returns whether it had escapes.
    private mutating func scanString() throws(RecordError) -> Bool {
        let open = index
        index += 1
        var hasEscape = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return hasEscape
            }
            if byte == UInt8(ascii: "\\") {
                hasEscape = true
                index += 1
                guard index < bytes.count else { break }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    guard index + 4 < bytes.count, (1...4).allSatisfy({ hexValue(bytes[index + $0]) != nil }) else {
                        throw .malformed(offset: index - 1, reason: "bad \\u escape")
                    }
                    index += 5
                default:
                    throw .malformed(offset: index - 1, reason: "unknown escape \\\(Character(Unicode.Scalar(bytes[index])))")
                }
                continue
            }
            if byte < 0x20 { throw .malformed(offset: index, reason: "control character inside a string") }
            index += 1
        }
        throw .malformed(offset: open, reason: "string is not closed")
    }

    /// Decodes escapes of an already scanned string body.
    private func decodeString(from start: Int, to end: Int) throws(RecordError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        var i = start
        while i < end {
            let byte = bytes[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            let escape = bytes[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(at: i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 5 < end + 1, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw .malformed(offset: i, reason: "unpaired surrogate in \\u escape")
                    }
                    let low = hex4(at: i + 2)
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw .malformed(offset: i, reason: "unpaired surrogate in \\u escape")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw .malformed(offset: i - 6, reason: "unpaired surrogate in \\u escape")
                }
                out.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
            default: out.append(escape)
            }
        }
        return out
    }

    private func hex4(at position: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | UInt32(hexValue(bytes[position + offset])!) }
        return value
    }

    @inline(__always)
    private func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    mutating func scanNumber() throws(RecordError) -> NumberToken {
        var token = NumberToken()
        token.start = index
        if bytes[index] == UInt8(ascii: "-") {
            token.negative = true
            index += 1
        }
        guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else {
            throw .malformed(offset: index, reason: "a digit must follow '-'")
        }
        if bytes[index] == 0x30 {
            index += 1
            if index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                throw .malformed(offset: index, reason: "numbers must not have leading zeros")
            }
        } else {
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                token.addDigit(bytes[index])
                index += 1
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            token.hasFraction = true
            index += 1
            guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else {
                throw .malformed(offset: index, reason: "a digit must follow '.'")
            }
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                token.addDigit(bytes[index])
                token.fractionDigits += 1
                index += 1
            }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            token.hasExponent = true
            index += 1
            var negativeExponent = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                negativeExponent = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else {
                throw .malformed(offset: index, reason: "a digit must follow the exponent")
            }
            var exponent = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                exponent = min(exponent * 10 + Int(bytes[index] - 0x30), 100_000)
                index += 1
            }
            token.exponent = negativeExponent ? -exponent : exponent
        }
        token.end = index
        return token
    }

    /// Skips any JSON value, checking it is well formed.
    private mutating func skipValue(depth: Int) throws(RecordError) {
        guard depth < 64 else { throw .malformed(offset: index, reason: "nested more than 64 levels") }
        guard let byte = peek() else { throw .malformed(offset: index, reason: "record ends before a value") }
        switch byte {
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipWhitespace()
            if peek() == close {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                if close == UInt8(ascii: "}") {
                    guard peek() == UInt8(ascii: "\"") else { throw unexpected(expecting: "a field name in quotes") }
                    _ = try scanString()
                    skipWhitespace()
                    guard peek() == UInt8(ascii: ":") else { throw unexpected(expecting: "':'") }
                    index += 1
                    skipWhitespace()
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let next = peek() else { throw .malformed(offset: index, reason: "record ends inside a value") }
                index += 1
                if next == close { return }
                if next != UInt8(ascii: ",") {
                    index -= 1
                    throw unexpected(expecting: "',' or '\(Character(Unicode.Scalar(close)))'")
                }
            }
        case UInt8(ascii: "t"):
            if !matchLiteral("true") { throw unexpected() }
        case UInt8(ascii: "f"):
            if !matchLiteral("false") { throw unexpected() }
        case UInt8(ascii: "n"):
            if !matchLiteral("null") { throw unexpected() }
        default:
            guard isNumberStart(byte) else { throw unexpected() }
            _ = try scanNumber()
        }
    }

    /// Copies `bytes[from..<to]` dropping whitespace outside strings.
    private func appendCompact(from start: Int, to end: Int, into out: inout [UInt8]) {
        var inString = false
        var i = start
        while i < end {
            let byte = bytes[i]
            if inString {
                out.append(byte)
                if byte == UInt8(ascii: "\\") {
                    out.append(bytes[i + 1])
                    i += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
            } else {
                switch byte {
                case 0x20, 0x0A, 0x0D, 0x09: break
                case UInt8(ascii: "\""):
                    inString = true
                    out.append(byte)
                default: out.append(byte)
                }
            }
            i += 1
        }
    }

    // MARK: Errors

    private func unexpected(expecting: String? = nil) -> RecordError {
        guard index < bytes.count else {
            return .malformed(offset: index, reason: "record ends early" + (expecting.map { ", expected \($0)" } ?? ""))
        }
        let byte = bytes[index]
        let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16, uppercase: true)
        return .malformed(offset: index, reason: "unexpected \(shown)" + (expecting.map { ", expected \($0)" } ?? ""))
    }

    private func text(_ token: NumberToken) -> String {
        text(from: token.start, to: token.end)
    }

    private func text(from start: Int) -> String {
        text(from: start, to: index)
    }

    private func text(from start: Int, to end: Int) -> String {
        let limit = min(end, start + 40)
        let shown = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<limit]), as: UTF8.self)
        return limit < end ? shown + "…" : shown
    }
}

extension NumberToken {
    @inline(__always)
    mutating func addDigit(_ byte: UInt8) {
        let digit = UInt64(byte &- 0x30)
        if significantDigits == 0 && digit == 0 { return }
        significantDigits += 1
        if significantDigits <= 18 { digits = digits &* 10 &+ digit }
    }
}


extension DecimalNumber {
    /// Reads a JSON number starting at `index` and moves past it; nil when the bytes
    /// there are not a number or it needs more than 18 digits or places.
    public static func parseJSON(_ bytes: UnsafeBufferPointer<UInt8>, index: inout Int) -> DecimalNumber? {
        guard index < bytes.count else { return nil }
        var reader = RecordReader(bytes)
        reader.index = index
        guard let token = try? reader.scanNumber(), let value = token.decimal else { return nil }
        index = reader.index
        return value
    }
}
