/// Writes the rider record format on bytes, in one canonical field order:
/// uuid?, event, deviceTimestamp, second, raceId, name, racerId, classId,
/// cadence, resistance, unknown members as received, output?.
public enum RecordWriter {
    /// The message as a new byte array, written in one pass.
    public static func bytes(_ message: RaceMessage) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: maximumSize(message)) { buffer, count in
            count = write(message, to: buffer.baseAddress!)
        }
    }

    /// Appends the message to `out`.
    public static func write(_ message: RaceMessage, into out: inout [UInt8]) {
        let bound = maximumSize(message)
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: bound))
        let written = out.withUnsafeMutableBufferPointer { write(message, to: $0.baseAddress! + start) }
        out.removeLast(bound - written)
    }

    /// An upper bound on the written size: fixed text, 21 bytes a number, 6 a string byte.
    static func maximumSize(_ message: RaceMessage) -> Int {
        192 + 6 * (message.name.utf8.count + (message.uuid?.utf8.count ?? 0)) + message.unknownFields.count
    }

    /// Writes the message at `start`, which has room for `maximumSize(message)` bytes; returns the count.
    static func write(_ message: RaceMessage, to start: UnsafeMutablePointer<UInt8>) -> Int {
        var cursor = ByteCursor(start)
        cursor.byte(UInt8(ascii: "{"))
        if var uuid = message.uuid {
            cursor.literal("\"uuid\":")
            uuid.withUTF8 { cursor.string($0) }
            cursor.byte(UInt8(ascii: ","))
        }
        cursor.literal(message.event == .final ? "\"event\":\"final\",\"deviceTimestamp\":" : "\"event\":\"update\",\"deviceTimestamp\":")
        cursor.integer(message.deviceTimestamp)
        cursor.literal(",\"second\":")
        cursor.integer(Int64(message.second))
        cursor.literal(",\"raceId\":")
        cursor.integer(message.raceId)
        cursor.literal(",\"name\":")
        var name = message.name
        name.withUTF8 { cursor.string($0) }
        cursor.literal(",\"racerId\":")
        cursor.integer(Int64(message.racerId))
        cursor.literal(",\"classId\":")
        cursor.integer(Int64(message.classId))
        cursor.literal(",\"cadence\":")
        cursor.decimal(message.cadence)
        cursor.literal(",\"resistance\":")
        cursor.decimal(message.resistance)
        if !message.unknownFields.isEmpty {
            cursor.byte(UInt8(ascii: ","))
            message.unknownFields.withUnsafeBufferPointer { cursor.bytes($0) }
        }
        if let output = message.output {
            cursor.literal(",\"output\":")
            cursor.decimal(output)
        }
        cursor.byte(UInt8(ascii: "}"))
        return cursor.position - start
    }

    @inline(__always)
    public static func appendLiteral(_ literal: StaticString, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// JSON string with the escapes RFC 8259 requires; other UTF-8 passes as is.
    public static func appendString(_ string: String, into out: inout [UInt8]) {
        var string = string
        let bound = 2 + 6 * string.utf8.count
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: bound))
        let written = out.withUnsafeMutableBufferPointer { buffer in
            var cursor = ByteCursor(buffer.baseAddress! + start)
            string.withUTF8 { cursor.string($0) }
            return cursor.position - (buffer.baseAddress! + start)
        }
        out.removeLast(bound - written)
    }
}
