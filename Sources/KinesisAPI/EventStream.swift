import CZlib
import KinesisWire

/// The AWS event stream encoding (`application/vnd.amazon.eventstream`) that
/// SubscribeToShard answers in: a sequence of messages, each
///
///     total length (4) | headers length (4) | CRC32 of those 8 bytes (4)
///     | headers | payload | CRC32 of everything before (4)
///
/// all big-endian; a header is a 1-byte name length, the name, a type byte and the
/// value (type 7, a string: a 2-byte length and the bytes). Only string headers are
/// written and read here: the event stream's own are all strings.
public enum EventStream {
    public static let contentType = "application/vnd.amazon.eventstream"

    /// One message with `headers` (in this order) and `payload`.
    public static func message(headers: [(name: String, value: String)], payload: [UInt8]) -> [UInt8] {
        var headerBytes: [UInt8] = []
        for (name, value) in headers {
            let nameBytes = Array(name.utf8)
            let valueBytes = Array(value.utf8)
            precondition(nameBytes.count < 256 && valueBytes.count < 65_536, "an event stream header is too long")
            headerBytes.append(UInt8(nameBytes.count))
            headerBytes += nameBytes
            headerBytes.append(7)
            headerBytes.append(UInt8(valueBytes.count >> 8))
            headerBytes.append(UInt8(valueBytes.count & 0xFF))
            headerBytes += valueBytes
        }
        let total = 12 + headerBytes.count + payload.count + 4
        var bytes: [UInt8] = []
        bytes.reserveCapacity(total)
        appendBigEndian(UInt32(total), to: &bytes)
        appendBigEndian(UInt32(headerBytes.count), to: &bytes)
        appendBigEndian(CRC32.checksum(bytes), to: &bytes)
        bytes += headerBytes
        bytes += payload
        appendBigEndian(CRC32.checksum(bytes), to: &bytes)
        return bytes
    }

    /// An event (`:message-type` event) of type `eventType` with a payload of `contentType`
    /// (JSON for the Kinesis JSON protocol, CBOR for the CBOR one).
    public static func event(_ eventType: String, payload: [UInt8], contentType: String = "application/json") -> [UInt8] {
        message(headers: [(":event-type", eventType), (":content-type", contentType), (":message-type", "event")], payload: payload)
    }

    /// A message read back: its headers and payload, or why the bytes are not one.
    public struct Message: Equatable {
        public var headers: [String: String]
        public var payload: [UInt8]
        /// Bytes the message took.
        public var length: Int
    }

    /// The message at the start of `bytes`, nil when more bytes are needed.
    public static func read(_ bytes: ArraySlice<UInt8>) throws(WireError) -> Message? {
        guard bytes.count >= 12 else { return nil }
        let start = bytes.startIndex
        let total = Int(bigEndian(bytes, at: start))
        let headersLength = Int(bigEndian(bytes, at: start + 4))
        guard bigEndian(bytes, at: start + 8) == CRC32.checksum(bytes[start..<start + 8]) else {
            throw WireError("event stream: the prelude's CRC does not match")
        }
        guard total >= 16 + headersLength else { throw WireError("event stream: a message of \(total) bytes cannot hold \(headersLength) bytes of headers") }
        guard bytes.count >= total else { return nil }
        guard bigEndian(bytes, at: start + total - 4) == CRC32.checksum(bytes[start..<start + total - 4]) else {
            throw WireError("event stream: the message's CRC does not match")
        }
        var headers: [String: String] = [:]
        var index = start + 12
        let headersEnd = index + headersLength
        while index < headersEnd {
            let nameLength = Int(bytes[index])
            guard index + 1 + nameLength + 3 <= headersEnd, bytes[index + 1 + nameLength] == 7 else {
                throw WireError("event stream: a header that is not a string at byte \(index - start)")
            }
            let name = String(decoding: bytes[(index + 1)..<(index + 1 + nameLength)], as: UTF8.self)
            let valueStart = index + 1 + nameLength + 3
            let valueLength = Int(bytes[valueStart - 2]) << 8 | Int(bytes[valueStart - 1])
            guard valueStart + valueLength <= headersEnd else { throw WireError("event stream: header \(name) runs past the headers") }
            headers[name] = String(decoding: bytes[valueStart..<(valueStart + valueLength)], as: UTF8.self)
            index = valueStart + valueLength
        }
        return Message(headers: headers, payload: Array(bytes[headersEnd..<(start + total - 4)]), length: total)
    }

    private static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func bigEndian(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt32 {
        UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
    }
}

/// CRC-32 (IEEE 802.3, the one the event stream and gzip use), by zlib.
enum CRC32 {
    static func checksum<Bytes: Collection>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let crc = bytes.withContiguousStorageIfAvailable { crc32(0, $0.baseAddress, uInt($0.count)) }
            ?? Array(bytes).withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        return UInt32(truncatingIfNeeded: crc)
    }
}
