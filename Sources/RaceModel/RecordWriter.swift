/// Writes the rider record format on bytes, in one canonical field order:
/// uuid?, event, deviceTimestamp, second, raceId, name, racerId, classId,
/// cadence, resistance, unknown members as received, output?.
public enum RecordWriter {
    public static func write(_ message: RaceMessage, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        if let uuid = message.uuid {
            appendLiteral("\"uuid\":", into: &out)
            appendString(uuid, into: &out)
            out.append(UInt8(ascii: ","))
        }
        appendLiteral(message.event == .final ? "\"event\":\"final\",\"deviceTimestamp\":" : "\"event\":\"update\",\"deviceTimestamp\":", into: &out)
        appendInteger(message.deviceTimestamp, into: &out)
        appendLiteral(",\"second\":", into: &out)
        appendInteger(Int64(message.second), into: &out)
        appendLiteral(",\"raceId\":", into: &out)
        appendInteger(message.raceId, into: &out)
        appendLiteral(",\"name\":", into: &out)
        appendString(message.name, into: &out)
        appendLiteral(",\"racerId\":", into: &out)
        appendInteger(Int64(message.racerId), into: &out)
        appendLiteral(",\"classId\":", into: &out)
        appendInteger(Int64(message.classId), into: &out)
        appendLiteral(",\"cadence\":", into: &out)
        message.cadence.write(into: &out)
        appendLiteral(",\"resistance\":", into: &out)
        message.resistance.write(into: &out)
        if !message.unknownFields.isEmpty {
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: message.unknownFields)
        }
        if let output = message.output {
            appendLiteral(",\"output\":", into: &out)
            output.write(into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    public static func bytes(_ message: RaceMessage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(192)
        write(message, into: &out)
        return out
    }

    @inline(__always)
    public static func appendLiteral(_ literal: StaticString, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    public static func appendInteger(_ value: Int64, into out: inout [UInt8]) {
        DecimalNumber(mantissa: value, scale: 0).write(into: &out)
    }

    /// JSON string with the escapes RFC 8259 requires; other UTF-8 passes as is.
    public static func appendString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var plainStart = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart..<i]))
                switch byte {
                case UInt8(ascii: "\""): appendLiteral("\\\"", into: &out)
                case UInt8(ascii: "\\"): appendLiteral("\\\\", into: &out)
                case 0x0A: appendLiteral("\\n", into: &out)
                case 0x0D: appendLiteral("\\r", into: &out)
                case 0x09: appendLiteral("\\t", into: &out)
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    appendLiteral("\\u00", into: &out)
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0F)])
                }
                plainStart = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
