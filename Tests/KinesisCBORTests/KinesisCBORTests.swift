import KinesisCBOR
import KinesisWire
import Testing

/// CBOR requests to the JSON the API reads, and the API's JSON answers to CBOR.
@Suite struct KinesisCBORRequestTests {
    static let putRecords = map(
        (text("StreamName"), text("alleycat")),
        (text("Records"), array(
            map((text("Data"), .bytes(Array(#"{"racerId":1}"#.utf8))), (text("PartitionKey"), text("racer-1"))),
            map((text("Data"), .bytes([0x00, 0xFF, 0x0A])), (text("PartitionKey"), text("racer-2")),
                (text("ExplicitHashKey"), text("340282366920938463463374607431768211455"))))))
    static let putRecordsCBOR =
        "a26a53747265616d4e616d6568616c6c6579636174675265636f72647382a264446174614d7b2272616365724964223a317d6c5061727469"
        + "74696f6e4b65796772616365722d31a364446174614300ff0a6c506172746974696f6e4b65796772616365722d326f4578706c69636974"
        + "486173684b65797827333430323832333636393230393338343633343633333734363037343331373638323131343535"
    static let putRecordsJSON =
        #"{"StreamName":"alleycat","Records":[{"Data":"eyJyYWNlcklkIjoxfQ==","PartitionKey":"racer-1"},"#
        + #"{"Data":"AP8K","PartitionKey":"racer-2","ExplicitHashKey":"340282366920938463463374607431768211455"}]}"#

    @Test func aPutRecordsRequestBecomesTheJSONTheAPIReads() throws {
        #expect(hexString(Self.putRecords.encoded) == Self.putRecordsCBOR)
        let body = try KinesisCBOR.requestJSON(cbor: hex(Self.putRecordsCBOR))
        #expect(json(body) == Self.putRecordsJSON)
        // And back: the blobs are byte strings again, byte for byte the request.
        #expect(hexString(try KinesisCBOR.answerCBOR(json: body)) == Self.putRecordsCBOR)
    }

    @Test func indefiniteLengthsAreReadAsDefiniteOnes() throws {
        // {_ "StreamName": (_ "alley", "cat"), "Records": [_ {_ "Data": (_ h'01', h'0203'), "PartitionKey": "k"}]}
        let cbor = hex("bf6a53747265616d4e616d657f65616c6c657963636174ff675265636f7264739fbf64446174615f4101420203ff6c506172746974696f6e4b6579616bffffff")
        #expect(json(try KinesisCBOR.requestJSON(cbor: cbor)) == #"{"StreamName":"alleycat","Records":[{"Data":"AQID","PartitionKey":"k"}]}"#)
    }

    @Test func textIsEscapedForJSON() throws {
        let cbor = map((text("k\"\\\n"), text("q\"b\\s\n\r\t\u{1}\u{1f}é😀")), (text("/"), text("/")))
        #expect(json(try KinesisCBOR.requestJSON(cbor: cbor.encoded)) == #"{"k\"\\\n":"q\"b\\s\n\r\t\u0001\u001fé😀","/":"/"}"#)
    }

    @Test func integersFloatsAndSimpleValues() throws {
        let integers = hex("86 00 17 1818 1bffffffffffffffff 20 3bffffffffffffffff")
        #expect(json(try KinesisCBOR.requestJSON(cbor: integers)) == "[0,23,24,18446744073709551615,-1,-18446744073709551616]")
        let floats = hex("87 f93e00 fa47c35000 fb3ff199999999999a f98000 fb7e37e43c8800759c f90001 fbc010666666666666")
        #expect(json(try KinesisCBOR.requestJSON(cbor: floats)) == "[1.5,100000.0,1.1,-0.0,1e+300,5.960464477539063e-08,-4.1]")
        #expect(json(try KinesisCBOR.requestJSON(cbor: hex("84f5f4f6f7"))) == "[true,false,null,null]")
        #expect(json(try KinesisCBOR.requestJSON(cbor: hex("a3 614140 61425f40ff 6143 4401020304"))) == #"{"A":"","B":"","C":"AQIDBA=="}"#)
    }

    @Test func otherTagsAreReadThrough() throws {
        // 32(uri), 2(bignum), 0(date text), 55799 (self-described CBOR) around a map.
        let cbor = hex("d9d9f7 a3 6155 d82076687474703a2f2f7777772e6578616d706c652e636f6d 6142 c249010000000000000000 6144 c074323031332d30332d32315432303a30343a30305a")
        #expect(json(try KinesisCBOR.requestJSON(cbor: cbor)) == #"{"U":"http://www.example.com","B":"AQAAAAAAAAAA","D":"2013-03-21T20:04:00Z"}"#)
    }

    @Test func refusesWhatJSONOrAKinesisRequestCannotCarry() {
        let refusals: [(String, String)] = [
            ("a10102", "CBOR: a map key at byte 1 is an unsigned integer: the Kinesis API's maps have text keys"),
            ("a1416100", "CBOR: a map key at byte 1 is a byte string: the Kinesis API's maps have text keys"),
            ("a18000", "CBOR: a map key at byte 1 is an array: the Kinesis API's maps have text keys"),
            ("a1654c696d6974f97e00", "CBOR: a half-precision float at byte 7 is NaN, which JSON has no number for"),
            ("fa7fc00000", "CBOR: a single-precision float at byte 0 is NaN, which JSON has no number for"),
            ("fb7ff8000000000000", "CBOR: a double-precision float at byte 0 is NaN, which JSON has no number for"),
            ("81fa7f800000", "CBOR: a single-precision float at byte 1 is infinity, which JSON has no number for"),
            ("fbfff0000000000000", "CBOR: a double-precision float at byte 0 is -infinity, which JSON has no number for"),
            ("f0", "CBOR: the simple value 16 at byte 0 has no JSON form: send false, true or null"),
            ("f8ff", "CBOR: the simple value 255 at byte 0 has no JSON form: send false, true or null"),
            ("e0", "CBOR: the simple value 0 at byte 0 has no JSON form: send false, true or null"),
        ]
        for (bytes, message) in refusals {
            #expect(requestRefusal(hex(bytes)) == message, "\(bytes)")
        }
        // The decoder reads them: they are well-formed.
        for (bytes, _) in refusals { #expect(decodeRefusal(hex(bytes)) == nil, "\(bytes)") }
    }

    @Test func invalidUTF8InAKeyOrValueIsRefused() {
        #expect(requestRefusal(hex("a162c3280f")) == "CBOR: a text string at byte 1 is not valid UTF-8")
        #expect(requestRefusal(hex("a16a53747265616d4e616d6562c328")) == "CBOR: a text string at byte 12 is not valid UTF-8")
    }

    @Test func bytesAfterTheRequestAreRefused() {
        #expect(requestRefusal(hex(Self.putRecordsCBOR) + [0xA0]) == "CBOR: 1 byte after the end of the item (from byte 159): send one CBOR data item")
    }
}

/// Tag 1, as the AWS SDK for Java writes and reads it: an integer of epoch milliseconds.
@Suite struct KinesisCBORTimestampTests {
    @Test func aRequestTimestampBecomesEpochSeconds() throws {
        // GetShardIterator AT_TIMESTAMP as the SDK writes it: 1(1764380851500).
        let request = map(
            (text("StreamName"), text("alleycat")), (text("ShardId"), text("shardId-000000000001")),
            (text("ShardIteratorType"), text("AT_TIMESTAMP")), (text("Timestamp"), .tagged(1, int(1_764_380_851_500))))
        #expect(json(try KinesisCBOR.requestJSON(cbor: request.encoded))
            == #"{"StreamName":"alleycat","ShardId":"shardId-000000000001","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1764380851.500}"#)
    }

    @Test func timestampsAtTheEdgesOfInt64() throws {
        #expect(json(try KinesisCBOR.requestJSON(cbor: hex("84c100c105c13905dbc11b7fffffffffffffff"))) == "[0.000,0.005,-1.500,9223372036854775.807]")
        #expect(json(try KinesisCBOR.requestJSON(cbor: hex("c13b7fffffffffffffff"))) == "-9223372036854775.808")
        #expect(requestRefusal(hex("c11b8000000000000000")) == "CBOR: tag 1 (epoch timestamp) at byte 0 holds 9223372036854775808 milliseconds, outside the Int64 range")
        #expect(requestRefusal(hex("81c13b8000000000000000")) == "CBOR: tag 1 (epoch timestamp) at byte 1 holds -9223372036854775809 milliseconds, outside the Int64 range")
        #expect(requestRefusal(hex("c13bffffffffffffffff")) == "CBOR: tag 1 (epoch timestamp) at byte 0 holds -18446744073709551616 milliseconds, outside the Int64 range")
    }

    @Test func aTimestampOfSecondsOrAnythingButAnIntegerIsRefused() {
        // RFC 8949's (and Smithy RPC v2's) float seconds would be read 1000 times too small.
        #expect(requestRefusal(hex("a16954696d657374616d70c1fb41da4a942ce00000"))
            == "CBOR: tag 1 (epoch timestamp) at byte 11 holds a double-precision float: send an integer of epoch milliseconds, as the AWS SDKs do")
        #expect(requestRefusal(hex("c16161")) == "CBOR: tag 1 (epoch timestamp) at byte 0 holds a text string: send an integer of epoch milliseconds, as the AWS SDKs do")
        #expect(requestRefusal(hex("c1c100")) == "CBOR: tag 1 (epoch timestamp) at byte 0 holds a tag: send an integer of epoch milliseconds, as the AWS SDKs do")
        #expect(requestRefusal(hex("c1")) == "CBOR: the body ends at byte 1 inside a tag at byte 0")
    }

    @Test func everyTimestampOfTheModelsOutputsBecomesTagOneOfMilliseconds() throws {
        let members = ["ApproximateArrivalTimestamp", "StreamCreationTimestamp", "ConsumerCreationTimestamp", "StartedAt", "EndedAt", "EarliestAllowedEndAt"]
        for member in members {
            let cbor = try KinesisCBOR.answerCBOR(json: Array(#"{"\#(member)":1.5,"Other":[{"\#(member)":-1.5}]}"#.utf8))
            #expect(try CBORValue(decoding: cbor) == map(
                (text(member), .tagged(1, int(1500))), (text("Other"), array(map((text(member), .tagged(1, int(-1500))))))), "\(member)")
        }
        // JSON's three decimals become exact milliseconds.
        let arrival = try KinesisCBOR.answerCBOR(json: Array(#"{"ApproximateArrivalTimestamp":1764380851.123}"#.utf8))
        #expect(hexString(arrival) == "a1781b417070726f78696d6174654172726976616c54696d657374616d70c11b0000019acd4b3bb3")
        // A request-only timestamp member, or a number not in a member, stays a number.
        #expect(try CBORValue(decoding: KinesisCBOR.answerCBOR(json: Array(#"[1.5,{"Timestamp":1.5}]"#.utf8)))
            == array(.float(1.5), map((text("Timestamp"), .float(1.5)))))
        // A timestamp member that is not a number is written as what it is.
        #expect(try CBORValue(decoding: KinesisCBOR.answerCBOR(json: Array(#"{"StartedAt":"soon","EndedAt":null}"#.utf8)))
            == map((text("StartedAt"), text("soon")), (text("EndedAt"), .null)))
    }

    @Test func aTimestampBeyondInt64MillisecondsIsRefused() {
        #expect(throws: WireError("StartedAt is 1e+300 seconds, beyond the Int64 milliseconds of a CBOR timestamp")) {
            try KinesisCBOR.answerCBOR(json: Array(#"{"StartedAt":1e300}"#.utf8))
        }
    }
}

@Suite struct KinesisCBORAnswerTests {
    static let getRecordsJSON =
        #"{"Records":[{"SequenceNumber":"000000000000000000000001","ApproximateArrivalTimestamp":1764380851.000,"#
        + #""Data":"eyJyYWNlcklkIjoxfQ==","PartitionKey":"racer-1"},{"SequenceNumber":"000000000000000000000002","#
        + #""ApproximateArrivalTimestamp":1764380851.123,"Data":"AP8K","PartitionKey":"racer-2"}],"#
        + #""NextShardIterator":"AQAAAAAAAAAAAgAAAZrNSz04","MillisBehindLatest":0}"#
    static let getRecordsCBOR =
        "a3675265636f72647382a46e53657175656e63654e756d6265727818303030303030303030303030303030303030303030303031781b41"
        + "7070726f78696d6174654172726976616c54696d657374616d70c11b0000019acd4b3b3864446174614d7b2272616365724964223a317d"
        + "6c506172746974696f6e4b65796772616365722d31a46e53657175656e63654e756d626572781830303030303030303030303030303030"
        + "3030303030303032781b417070726f78696d6174654172726976616c54696d657374616d70c11b0000019acd4b3bb36444617461430"
        + "0ff0a6c506172746974696f6e4b65796772616365722d32714e65787453686172644974657261746f727818415141414141414141414141"
        + "41674141415a724e537a3034724d696c6c6973426568696e644c617465737400"

    @Test func aGetRecordsAnswerRoundTrips() throws {
        let cbor = try KinesisCBOR.answerCBOR(json: Array(Self.getRecordsJSON.utf8))
        #expect(hexString(cbor) == Self.getRecordsCBOR)
        #expect(try CBORValue(decoding: cbor) == map(
            (text("Records"), array(
                map((text("SequenceNumber"), text("000000000000000000000001")), (text("ApproximateArrivalTimestamp"), .tagged(1, int(1_764_380_851_000))),
                    (text("Data"), .bytes(Array(#"{"racerId":1}"#.utf8))), (text("PartitionKey"), text("racer-1"))),
                map((text("SequenceNumber"), text("000000000000000000000002")), (text("ApproximateArrivalTimestamp"), .tagged(1, int(1_764_380_851_123))),
                    (text("Data"), .bytes([0x00, 0xFF, 0x0A])), (text("PartitionKey"), text("racer-2"))))),
            (text("NextShardIterator"), text("AQAAAAAAAAAAAgAAAZrNSz04")),
            (text("MillisBehindLatest"), int(0))))
        // Back to JSON: byte for byte the API's answer.
        #expect(json(try KinesisCBOR.requestJSON(cbor: cbor)) == Self.getRecordsJSON)
    }

    @Test func anErrorBodyTranscodesTheSameWay() throws {
        let body = #"{"__type":"ResourceNotFoundException","message":"Stream other-stream under account 000000000000 not found."}"#
        let cbor = try KinesisCBOR.answerCBOR(json: Array(body.utf8))
        #expect(hexString(cbor)
            == "a2665f5f7479706578195265736f757263654e6f74466f756e64457863657074696f6e676d657373616765783953747265616d206f746865722d"
            + "73747265616d20756e646572206163636f756e7420303030303030303030303030206e6f7420666f756e642e")
        #expect(json(try KinesisCBOR.requestJSON(cbor: cbor)) == body)
    }

    @Test func aDescribeStreamSummaryAnswer() throws {
        let body = #"{"StreamDescriptionSummary":{"StreamName":"alleycat","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/alleycat","#
            + #""StreamStatus":"ACTIVE","RetentionPeriodHours":24,"StreamCreationTimestamp":1764380000.000,"#
            + #""EnhancedMonitoring":[{"ShardLevelMetrics":[]}],"EncryptionType":"NONE","OpenShardCount":2}}"#
        let cbor = try KinesisCBOR.answerCBOR(json: Array(body.utf8))
        #expect(hexString(cbor)
            == "a1781853747265616d4465736372697074696f6e53756d6d617279a86a53747265616d4e616d6568616c6c65796361746953747265616d41"
            + "524e783661726e3a6177733a6b696e657369733a75732d656173742d313a3030303030303030303030303a73747265616d2f616c6c657963"
            + "61746c53747265616d5374617475736641435449564574526574656e74696f6e506572696f64486f75727318187753747265616d43726561"
            + "74696f6e54696d657374616d70c11b0000019acd3e3f0072456e68616e6365644d6f6e69746f72696e6781a17153686172644c6576656c4d"
            + "657472696373806e456e6372797074696f6e54797065644e4f4e456e4f70656e5368617264436f756e7402")
        #expect(json(try KinesisCBOR.requestJSON(cbor: cbor)) == body)
    }

    @Test func numbersAreIntegersWhenWholeAndDoublesOtherwise() throws {
        let body = #"{"Timestamp":1.5,"MillisBehindLatest":0,"big":9223372036854775808,"e":1e2,"neg":-7,"frac":-0.25,"huge":1e300,"#
            + #""t":true,"f":false,"n":null,"Data":5,"StartedAt":"soon"}"#
        #expect(hexString(try KinesisCBOR.answerCBOR(json: Array(body.utf8)))
            == "ac6954696d657374616d70fb3ff8000000000000724d696c6c6973426568696e644c617465737400636269671b800000000000000061651864"
            + "636e6567266466726163fbbfd00000000000006468756765fb7e37e43c8800759c6174f56166f4616ef66444617461056953746172746564"
            + "417464736f6f6e")
    }

    @Test func countsOf24AndMoreWidenTheHead() throws {
        let members = (0..<24).map { #""m\#($0)":\#($0)"# }.joined(separator: ",")
        let items = (0..<256).map(String.init).joined(separator: ",")
        let cbor = try KinesisCBOR.answerCBOR(json: Array("[{\(members)},[\(items)],[]]".utf8))
        #expect(Array(cbor.prefix(3)) == [0x83, 0xB8, 24])
        #expect(try CBORValue(decoding: cbor) == array(
            .map((0..<24).map { CBORValue.Entry(text("m\($0)"), int($0)) }), .array((0..<256).map(int)), array()))
    }

    @Test func refusesADataThatIsNotBase64AndMalformedJSON() {
        #expect(throws: WireError("Data is not valid base64: send the bytes base64-encoded with '=' padding")) {
            try KinesisCBOR.answerCBOR(json: Array(#"{"Records":[{"Data":"not base64!"}]}"#.utf8))
        }
        #expect(throws: WireError("Malformed JSON at byte 1: expected a member name in double quotes")) {
            try KinesisCBOR.answerCBOR(json: Array("{".utf8))
        }
        #expect(throws: WireError("Malformed JSON at byte 3: unexpected 'x' after the end of the document")) {
            try KinesisCBOR.answerCBOR(json: Array("{} x".utf8))
        }
    }
}
