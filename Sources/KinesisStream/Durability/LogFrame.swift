import CZlib

/// One entry of the stream's segment log, framed so a torn or damaged tail is
/// found: `u32 length | u32 crc32(payload) | payload`, little-endian. The payload
/// is a record accepted by a shard, or a consumer's checkpoint.
enum LogFrame: Equatable {
    case record(shard: Int, counter: UInt64, arrivalMillis: Int64, partitionKey: [UInt8], data: [UInt8])
    case checkpoint(consumer: String, shard: Int, counter: UInt64)

    static let headerBytes = 8
    /// Larger than any frame a valid record makes (1 MiB of data and key, plus fields).
    static let maximumPayload = (1 << 20) + 4096

    private static let recordKind: UInt8 = 1
    private static let checkpointKind: UInt8 = 2

    /// Appends a record's frame without building the enum (the write path).
    /// A scratch log, never opened again, leaves the checksum 0 (`checksum: false`): it
    /// would guard against nothing, at the cost of a pass over every record's bytes.
    static func appendRecord(
        shard: Int, counter: UInt64, arrivalMillis: Int64, partitionKey: String, data: [UInt8], checksum: Bool = true, to buffer: inout [UInt8]
    ) {
        let keyBytes = partitionKey.utf8.count
        let payload = 1 + 4 + 8 + 8 + 2 + keyBytes + 4 + data.count
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: headerBytes))
        buffer.append(recordKind)
        appendInteger(UInt32(shard), to: &buffer)
        appendInteger(counter, to: &buffer)
        appendInteger(UInt64(bitPattern: arrivalMillis), to: &buffer)
        appendInteger(UInt16(keyBytes), to: &buffer)
        buffer.append(contentsOf: partitionKey.utf8)
        appendInteger(UInt32(data.count), to: &buffer)
        buffer.append(contentsOf: data)
        seal(&buffer, start: start, payload: payload, checksum: checksum)
    }

    static func appendCheckpoint(consumer: String, shard: Int, counter: UInt64, to buffer: inout [UInt8]) {
        let name = Array(consumer.utf8.prefix(255))
        let payload = 1 + 1 + name.count + 4 + 8
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: headerBytes))
        buffer.append(checkpointKind)
        buffer.append(UInt8(name.count))
        buffer.append(contentsOf: name)
        appendInteger(UInt32(shard), to: &buffer)
        appendInteger(counter, to: &buffer)
        seal(&buffer, start: start, payload: payload)
    }

    /// Writes the header of the frame that starts at `start`.
    private static func seal(_ buffer: inout [UInt8], start: Int, payload: Int, checksum: Bool = true) {
        let crc = checksum ? buffer.withUnsafeBufferPointer { crc32(0, $0.baseAddress! + start + headerBytes, UInt32(payload)) } : 0
        buffer.withUnsafeMutableBufferPointer { bytes in
            write(UInt32(payload), at: start, in: bytes)
            write(UInt32(truncatingIfNeeded: crc), at: start + 4, in: bytes)
        }
    }

    enum ReadResult: Equatable {
        case frame(LogFrame, next: Int)
        /// Fewer bytes than a whole frame: a write cut short.
        case torn
        /// A whole frame whose checksum or contents are wrong.
        case damaged(String)
    }

    /// Reads the frame at `offset` of `bytes`.
    static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> ReadResult {
        guard bytes.count - offset >= headerBytes else { return .torn }
        let length = Int(readInteger(UInt32.self, bytes, offset))
        let expected = readInteger(UInt32.self, bytes, offset + 4)
        guard length <= maximumPayload, length >= 1 else { return .damaged("frame length \(length) is impossible") }
        guard bytes.count - offset - headerBytes >= length else { return .torn }
        let start = offset + headerBytes
        let crc = UInt32(truncatingIfNeeded: crc32(0, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + start, UInt32(length)))
        guard crc == expected else { return .damaged("checksum mismatch") }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<start + length])
        guard let frame = decode(payload) else { return .damaged("payload does not decode") }
        return .frame(frame, next: start + length)
    }

    /// Where a record frame's key and data are in `bytes` (the read path: no copies),
    /// or nil when the frame at `offset` is not a whole, sound record frame.
    static func recordView(_ bytes: UnsafeRawBufferPointer, at offset: Int, verify: Bool) -> (key: Range<Int>, data: Range<Int>, next: Int)? {
        guard bytes.count - offset >= headerBytes else { return nil }
        let length = Int(readInteger(UInt32.self, bytes, offset))
        let start = offset + headerBytes
        let fixed = 1 + 4 + 8 + 8 + 2
        guard length >= fixed + 4, bytes.count - start >= length, bytes[start] == recordKind else { return nil }
        if verify {
            let crc = UInt32(truncatingIfNeeded: crc32(0, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + start, UInt32(length)))
            guard crc == readInteger(UInt32.self, bytes, offset + 4) else { return nil }
        }
        let keyStart = start + fixed
        let keyLength = Int(readInteger(UInt16.self, bytes, keyStart - 2))
        guard fixed + keyLength + 4 <= length else { return nil }
        let dataStart = keyStart + keyLength + 4
        let dataLength = Int(readInteger(UInt32.self, bytes, dataStart - 4))
        guard dataStart + dataLength == start + length else { return nil }
        return (keyStart..<keyStart + keyLength, dataStart..<dataStart + dataLength, start + length)
    }

    private static func decode(_ payload: UnsafeRawBufferPointer) -> LogFrame? {
        var cursor = 1
        func take(_ count: Int) -> UnsafeRawBufferPointer? {
            guard payload.count - cursor >= count else { return nil }
            defer { cursor += count }
            return UnsafeRawBufferPointer(rebasing: payload[cursor..<cursor + count])
        }
        func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
            take(MemoryLayout<T>.size).map { readInteger(T.self, $0, 0) }
        }
        switch payload[0] {
        case recordKind:
            guard let shard = integer(UInt32.self), let counter = integer(UInt64.self), let arrival = integer(UInt64.self),
                  let keyLength = integer(UInt16.self), let key = take(Int(keyLength)),
                  let dataLength = integer(UInt32.self), let data = take(Int(dataLength)), cursor == payload.count
            else { return nil }
            return .record(
                shard: Int(shard), counter: counter, arrivalMillis: Int64(bitPattern: arrival), partitionKey: Array(key), data: Array(data))
        case checkpointKind:
            guard let nameLength = integer(UInt8.self), let name = take(Int(nameLength)),
                  let shard = integer(UInt32.self), let counter = integer(UInt64.self), cursor == payload.count,
                  let consumer = String(validating: name, as: UTF8.self)
            else { return nil }
            return .checkpoint(consumer: consumer, shard: Int(shard), counter: counter)
        default:
            return nil
        }
    }

    private static func appendInteger<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private static func write(_ value: UInt32, at offset: Int, in bytes: UnsafeMutableBufferPointer<UInt8>) {
        withUnsafeBytes(of: value.littleEndian) { source in
            for index in 0..<4 { bytes[offset + index] = source[index] }
        }
    }

    private static func readInteger<T: FixedWidthInteger>(_: T.Type, _ bytes: UnsafeRawBufferPointer, _ offset: Int) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + MemoryLayout<T>.size]))
        }
        return T(littleEndian: value)
    }
}
