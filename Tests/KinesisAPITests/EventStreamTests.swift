import KinesisWire
import Testing
@testable import KinesisAPI

/// The event stream framing SubscribeToShard answers in: exact bytes, CRCs, and read back.
struct EventStreamTests {
    @Test func crc32IsTheIEEEOne() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func aMessageIsFramedWithItsLengthsAndCRCs() throws {
        let bytes = EventStream.message(headers: [(":event-type", "initial-response")], payload: Array("{}".utf8))
        // 12 bytes of prelude, a 29-byte header (1 + 11 + 1 + 2 + 16... "initial-response" is 16), 2 of payload, 4 of CRC.
        #expect(bytes.count == 12 + (1 + 11 + 1 + 2 + 16) + 2 + 4)
        #expect(Array(bytes[0..<8]) == [0, 0, 0, 49, 0, 0, 0, 31])
        #expect(Array(bytes[12..<25]) == [11] + Array(":event-type".utf8) + [7])
        #expect(Array(bytes[25..<27]) == [0, 16])
        let message = try #require(try EventStream.read(bytes[...]))
        #expect(message == EventStream.Message(headers: [":event-type": "initial-response"], payload: Array("{}".utf8), length: 49))
        let event = EventStream.event("SubscribeToShardEvent", payload: Array(#"{"Records":[]}"#.utf8))
        let read = try #require(try EventStream.read((bytes + event)[49...]))
        #expect(read.headers == [":event-type": "SubscribeToShardEvent", ":content-type": "application/json", ":message-type": "event"])
        #expect(String(decoding: read.payload, as: UTF8.self) == #"{"Records":[]}"#)
        // Part of a message: more bytes are needed.
        #expect(try EventStream.read(bytes[0..<30]) == nil)
    }

    @Test func aChangedByteFailsItsCRC() {
        var prelude = EventStream.message(headers: [], payload: [1, 2, 3])
        prelude[1] ^= 1
        #expect(throws: WireError("event stream: the prelude's CRC does not match")) { try EventStream.read(prelude[...]) }
        var body = EventStream.message(headers: [], payload: [1, 2, 3])
        body[13] ^= 1
        #expect(throws: WireError("event stream: the message's CRC does not match")) { try EventStream.read(body[...]) }
    }
}
