import KinesisWire

/// The Kinesis API's CBOR protocol (`application/x-amz-cbor-1.1`: what the AWS SDK for
/// Java v2 and the KCL send unless CBOR is turned off) as a transcoding of the JSON
/// protocol the API already reads and writes: a CBOR request body becomes the JSON body
/// `KinesisAPI.handle` reads, and its JSON answer, or refusal, becomes CBOR.
///
/// Blobs are byte strings in CBOR and base64 strings in JSON. Timestamps are tag 1 (epoch
/// time) followed by an integer of epoch **milliseconds**, in both directions, not RFC
/// 8949's seconds; the JSON protocol's are numbers of seconds with three decimals. That is
/// what the SDK does (aws/aws-sdk-java-v2):
/// - `core/protocols/aws-cbor-protocol/src/main/java/software/amazon/awssdk/protocols/cbor/internal/SdkCborGenerator.java`
///   writes `generator.writeTag(CBOR_TAG_TIMESTAMP)` (1), then `generator.writeNumber(instant.toEpochMilli())`;
/// - `core/protocols/aws-cbor-protocol/src/main/java/software/amazon/awssdk/protocols/cbor/AwsCborProtocolFactory.java`
///   makes `UNIX_TIMESTAMP_MILLIS` the payload's timestamp format ("CBOR uses epoch millis for
///   timestamps rather than epoch seconds with millisecond decimal precision like JSON protocols");
/// - `core/protocols/protocol-core/src/main/java/software/amazon/awssdk/protocols/core/StringToInstant.java`
///   reads that format with `DateUtils.parseUnixTimestampMillisInstant`, which is
///   `Instant.ofEpochMilli(Long.parseLong(...))`: an answer's timestamp must be an integer.
/// The SDK for Java v1 (`com.amazonaws.protocol.json.SdkCborGenerator`) wrote `date.getTime()`,
/// milliseconds too. Smithy's RPC v2 CBOR protocol, another one, writes seconds as a double
/// (`core/protocols/smithy-rpcv2-protocol/.../SdkRpcV2CborGenerator.java`): a float under tag 1
/// is refused here rather than guessed at.
public enum KinesisCBOR {
    /// The Content-Type of CBOR requests and their answers.
    public static let contentType = "application/x-amz-cbor-1.1"

    /// The JSON body for a CBOR request body: maps become objects (their keys must be text),
    /// arrays arrays, text strings JSON strings, byte strings base64 strings, integers and
    /// finite floats numbers, false, true and null themselves (undefined is null), and tag 1
    /// on an integer of epoch milliseconds a number of epoch seconds with three decimals.
    /// Other tags are read through: the tagged item is transcoded as if untagged, as
    /// Jackson, the SDK's CBOR parser, passes unknown tags by. No Kinesis request has them; a
    /// bignum (tags 2 and 3) becomes the base64 string of its bytes, which the API refuses
    /// where it wants a number. Indefinite lengths are read as definite ones. Every refusal
    /// is a `CBORError` saying where and why.
    public static func requestJSON(cbor: [UInt8]) throws(CBORError) -> [UInt8] {
        var reader = CBORReader(cbor)
        // Base64 makes blobs a third longer, and quotes and commas are added.
        var writer = JSONWriter(capacity: cbor.count / 2 * 3 + 64)
        try reader.json(into: &writer, in: nil)
        try reader.finish()
        return writer.bytes
    }

    /// The CBOR answer for the API's JSON answer or refusal (`{"__type", "message"}`):
    /// objects become maps with text keys, arrays arrays, strings text, whole numbers in the
    /// 64-bit integers integers and other numbers doubles, true, false and null themselves.
    /// A string member named `Data` (a record's blob) is base64-decoded to a byte string, and
    /// a number member that the Kinesis model's outputs declare a timestamp becomes tag 1 on
    /// an integer of epoch milliseconds. Throws the `WireError` of JSON that is not well-formed,
    /// of a `Data` that is not base64, or of a timestamp beyond the Int64 milliseconds.
    public static func answerCBOR(json: [UInt8]) throws -> [UInt8] {
        var reader = JSONReader(json)
        var writer = CBORWriter(capacity: json.count)
        try answer(&reader, into: &writer, member: nil)
        try reader.finish()
        return writer.bytes
    }

    /// The members of the Kinesis model's output shapes that are timestamps: Record's
    /// ApproximateArrivalTimestamp; StreamDescription's, StreamDescriptionSummary's and
    /// StreamSummary's StreamCreationTimestamp; Consumer's and ConsumerDescription's
    /// ConsumerCreationTimestamp; MinimumThroughputBillingCommitmentOutput's StartedAt,
    /// EndedAt and EarliestAllowedEndAt (DescribeAccountSettings, UpdateAccountSettings).
    static func isTimestamp(_ member: String) -> Bool {
        switch member {
        case "ApproximateArrivalTimestamp", "StreamCreationTimestamp", "ConsumerCreationTimestamp", "StartedAt", "EndedAt",
             "EarliestAllowedEndAt":
            true
        default:
            false
        }
    }

    /// One JSON value of an answer; `member` is the name it is the value of (nil in an array
    /// or at the top).
    private static func answer(_ reader: inout JSONReader, into writer: inout CBORWriter, member: String?) throws {
        switch try reader.peekKind() {
        case .object:
            let map = writer.beginMap()
            var count = 0
            try reader.readObject { reader, name in
                writer.text(name)
                try answer(&reader, into: &writer, member: name)
                count += 1
            }
            writer.end(map, count: count)
        case .array:
            let array = writer.beginArray()
            var count = 0
            try reader.readArray { reader, _ in
                try answer(&reader, into: &writer, member: nil)
                count += 1
            }
            writer.end(array, count: count)
        case .string:
            if member == "Data" {
                writer.byteString(try reader.readBase64(field: "Data"))
            } else {
                writer.text(try reader.readString())
            }
        case .number:
            if let member, isTimestamp(member) {
                let seconds = try reader.readDouble()
                guard let millis = Int64(exactly: (seconds * 1000).rounded()) else {
                    throw WireError("\(member) is \(seconds) seconds, beyond the Int64 milliseconds of a CBOR timestamp")
                }
                writer.tag(1)
                writer.integer(millis)
            } else {
                // A whole number in Int64 is read as one; any other (a fraction, an exponent,
                // a whole number past Int64) as a double.
                var whole = reader
                if let value = try? whole.readInteger(field: "") {
                    reader = whole
                    writer.integer(value)
                } else {
                    writer.double(try reader.readDouble())
                }
            }
        case .bool:
            writer.bool(try reader.readBool())
        case .null:
            guard reader.readNull() else { throw WireError("Malformed JSON at byte \(reader.position): expected null") }
            writer.null()
        }
    }
}

extension CBORReader {
    /// Transcodes one item of a request to JSON; `container` as for `head(in:)`.
    mutating func json(into writer: inout JSONWriter, in container: CBORHead?) throws(CBORError) {
        let head = try self.head(in: container)
        switch head.major {
        case 0:
            writer.integer(head.argument)
        case 1:
            if head.argument <= UInt64(Int64.max) {
                writer.integer(-1 - Int64(head.argument))
            } else {
                writer.integer(-1 - Int128(head.argument))
            }
        case 2:
            switch try stringBytes(head) {
            case let .range(range): bytes.withUnsafeBytes { writer.base64(UnsafeRawBufferPointer(rebasing: $0[range])) }
            case let .joined(joined): joined.withUnsafeBytes { writer.base64($0) }
            }
        case 3:
            try withText(head) { writer.string(utf8: $0) }
        case 4:
            try enter(head)
            writer.beginArray()
            try forEach(in: head) { reader throws(CBORError) in try reader.json(into: &writer, in: head) }
            writer.endArray()
            leave()
        case 5:
            try enter(head)
            writer.beginObject()
            try forEach(in: head) { reader throws(CBORError) in
                let key = try reader.head(in: head)
                guard key.major == 3 else { throw .keyNotText(item: key.item, at: key.offset) }
                try reader.withText(key) { writer.key(utf8: $0) }
                try reader.json(into: &writer, in: head)
            }
            writer.endObject()
            leave()
        case 6:
            try enter(head)
            if head.argument == 1 {
                try epochMillis(into: &writer, tag: head)
            } else {
                try json(into: &writer, in: head)
            }
            leave()
        default:
            switch head.info {
            case 20, 21:
                writer.bool(head.info == 21)
            case 22, 23:
                writer.null()
            case 25, 26, 27:
                let value = Self.float(head)
                guard value.isFinite else { throw .notFinite(item: head.item, at: head.offset, value: value) }
                writer.double(value)
            default:
                throw .simpleValue(at: head.offset, value: head.info == 24 ? UInt8(head.argument) : head.info)
            }
        }
    }

    /// The item under tag 1: an integer of epoch milliseconds, written as epoch seconds.
    private mutating func epochMillis(into writer: inout JSONWriter, tag: CBORHead) throws(CBORError) {
        let content = try head(in: tag)
        switch content.major {
        case 0:
            guard content.argument <= UInt64(Int64.max) else {
                throw .timestampOutOfRange(at: tag.offset, millis: String(content.argument))
            }
            writer.epochSeconds(millis: Int64(content.argument))
        case 1:
            guard content.argument <= UInt64(Int64.max) else {
                throw .timestampOutOfRange(at: tag.offset, millis: String(-1 - Int128(content.argument)))
            }
            writer.epochSeconds(millis: -1 - Int64(content.argument))
        default:
            throw .timestampNotInteger(at: tag.offset, found: content.item)
        }
    }
}
