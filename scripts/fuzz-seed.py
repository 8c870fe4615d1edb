#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora: Fuzz/corpus/fuzz-record-parser/,
Fuzz/corpus/fuzz-kinesis-request/, Fuzz/corpus/fuzz-cbor-request/ and
Fuzz/corpus/fuzz-mqtt-packet/. Each folder is
emptied and written anew, so run it
after changing a seed here, then update the file counts in
Tests/FuzzChecksTests/FuzzChecksTests.swift. scripts/fuzz.sh fuzzes a copy of these
folders, so what libFuzzer adds while it runs never lands in the repository.

Kinesis inputs start with the action byte: the check takes
Action.allCases[(byte - 48) mod count], so "0".."5" (48..53) pick PutRecord, PutRecords,
ListShards, DescribeStreamSummary, GetShardIterator, GetRecords, "6".."8" ListStreams,
DescribeStream, DescribeLimits, "9" ":" ";" "<" "=" ">" the tag actions, "?" "@"
Increase- and DecreaseStreamRetentionPeriod and "A".."E" the refused encryption and
resource-policy actions, and the files read as text.

CBOR requests are whole bodies (RFC 8949), written by the small encoder below: definite
lengths and shortest heads unless a seed spells its bytes out.

MQTT inputs are streams of MQTT 3.1.1 packets (OASIS standard, §3) back to back, as a
client's decoder reads them: one packet, several, or bytes that stop inside one or that
the reader refuses. Remaining lengths are in their shortest form unless a seed spells its
bytes out.
"""
import base64
import json
import os
import shutil
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fuzz", "corpus")

# KinesisRequestCheck's fixed clock and iterator key (Fuzz/FuzzChecks/KinesisRequestCheck.swift).
CLOCK_MILLIS = 1_764_380_851_000
ITERATOR_KEY = 42
MASK = (1 << 64) - 1


def mix(z):
    """SplitMix64.mix (Sources/RaceModel/Roster.swift)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def iterator(shard, counter, issued=CLOCK_MILLIS):
    """A shard iterator as ShardIteratorCodec writes it: version, shard, next counter,
    issue time, keyed check; big-endian, base64."""
    body = bytes([1]) + struct.pack(">IQQ", shard, counter, issued & MASK)
    check = mix(ITERATOR_KEY)
    for byte in body:
        check = mix(check ^ byte)
    return base64.b64encode(body + struct.pack(">Q", check)).decode()


def record(**overrides):
    fields = {"event": "update", "deviceTimestamp": 1700000000000, "second": 12, "raceId": 5666666,
              "name": "Alice", "racerId": 123, "classId": 3, "cadence": 61.5, "resistance": 54}
    fields.update(overrides)
    return json.dumps({k: v for k, v in fields.items() if v is not None}, separators=(",", ":"))


BASE = '"event":"update","deviceTimestamp":1700000000000,"second":12,"raceId":5666666,"name":"Alice","racerId":123,"classId":3'

RECORDS = {
    "valid-update": record(),
    "valid-final-uuid": record(uuid="3f1c-9b2e", event="final", second=300),
    "valid-pretty-whitespace": ' {\n  "event" : "update" ,\t"deviceTimestamp":1,"second":1,"raceId":0,\r\n  "name":"B","racerId":0,"classId":1,"cadence":0,"resistance":0 }\n',
    "valid-unknown-members": '{"hr": 120, ' + BASE + ',"device":{"fw":"1.2","tags":[1,{"y":null},true,false]},"cadence":65,"resistance":35,"x":[]}',
    "valid-escapes": '{' + BASE.replace('"Alice"', '"Ana \\"A\\"\\n\\\\ \\/ \\b\\f\\r\\t \\u00e9 \\ud83d\\ude00 \\u0001"') + ',"cadence":61.5,"resistance":54}',
    "valid-utf8-name": record(name="Zoë 自転車 🚲"),
    "valid-big-integers": record(deviceTimestamp=999999999999999999, raceId=999999999999999999, racerId=999999999999999999),
    "valid-decimal-digits": '{' + BASE + ',"cadence":61.50,"resistance":0.000000000000000001}',
    "valid-exponents": '{' + BASE + ',"cadence":6.15E1,"resistance":5400e-2}',
    "valid-trailing-zeros": '{' + BASE + ',"cadence":1.00000000000000000,"resistance":0.000000000000000000000}',
    "valid-with-output": '{' + BASE + ',"cadence":61,"resistance":54,"output":1}',
    "valid-bounds-high": record(second=300, classId=6, cadence=1000, resistance=1000),
    "valid-bounds-low": record(second=1, classId=1, racerId=0, raceId=0, deviceTimestamp=0, cadence=0, resistance=0),
    "valid-escaped-keys": '{' + BASE.replace('"second"', '"\\u0073econd"') + ',"cadence":61,"resistance":54,"outpu\\u0074":5}',
    "writer-output": '{"uuid":"u-1","event":"final","deviceTimestamp":1700000299000,"second":300,"raceId":5666666,"name":"Ana \\"A\\"\\n","racerId":7,"classId":2,"cadence":90.5,"resistance":33,"x":[1,{"y":null}],"output":12.1}',
    "invalid-negative-cadence": record(cadence=-3),
    "invalid-second-301": record(second=301),
    "invalid-class-7": record(classId=7),
    "invalid-cadence-string": record(cadence="fast"),
    "invalid-missing-racer": record(racerId=None),
    "invalid-duplicate-field": '{' + BASE + ',"cadence":61,"resistance":54,"cadence":62}',
    "invalid-malformed": '{"event":}',
    "invalid-not-object": '[1,2,3]',
    "invalid-nan": '{' + BASE + ',"cadence":NaN,"resistance":54}',
    "invalid-escaped-duplicate": '{' + BASE + ',"cadence":61,"resistance":54,"r\\u0061cerId":9}',
    "invalid-19-digit-integer": record(deviceTimestamp=9223372036854775807),
    "invalid-20-digit-decimal": '{' + BASE + ',"cadence":1.0000000000000000000,"resistance":54}',
    "invalid-19-digit-decimal": '{' + BASE + ',"cadence":1234567890.123456789,"resistance":54}',
    "invalid-trailing-bytes": record() + ' {}',
    "invalid-lone-surrogate": '{' + BASE.replace('"Alice"', '"\\ud800"') + ',"cadence":61,"resistance":54}',
}


def request(action, body):
    return str(action) + (body if isinstance(body, str) else json.dumps(body, separators=(",", ":")))


B64 = base64.b64encode(record().encode()).decode()
ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/alleycat"

REQUESTS = {
    # 0 PutRecord
    "putrecord-valid": request(0, {"StreamName": "alleycat", "Data": B64, "PartitionKey": "racer-123"}),
    "putrecord-hash-key-ordering": request(0, {"StreamARN": ARN, "Data": "AP8K", "PartitionKey": "k",
                                                "ExplicitHashKey": "340282366920938463463374607431768211455",
                                                "SequenceNumberForOrdering": "1000000000000000000000001"}),
    "putrecord-bad-base64": request(0, {"StreamName": "alleycat", "Data": "not base64!", "PartitionKey": "k"}),
    # 1 PutRecords
    "putrecords-valid": request(1, {"StreamName": "alleycat", "Records": [
        {"Data": "eA==", "PartitionKey": "a"}, {"Data": B64, "PartitionKey": "b", "ExplicitHashKey": "0"},
        {"Data": "", "PartitionKey": "\u00e9\u00e9"}]}),
    "putrecords-empty-list": request(1, {"StreamName": "alleycat", "Records": []}),
    "putrecords-missing-key": request(1, {"StreamName": "alleycat", "Records": [{"Data": "eA=="}]}),
    # 2 ListShards
    "listshards-valid": request(2, {"StreamName": "alleycat"}),
    "listshards-filter": request(2, {"StreamARN": ARN, "MaxResults": 1, "ExclusiveStartShardId": "shardId-000000000000",
                                     "ShardFilter": {"Type": "AT_TRIM_HORIZON"}}),
    "listshards-bad-token": request(2, {"NextToken": "garbage", "MaxResults": 10001}),
    # 3 DescribeStreamSummary
    "describe-by-name": request(3, {"StreamName": "alleycat"}),
    "describe-by-arn": request(3, {"StreamARN": ARN}),
    "describe-unknown-stream": request(3, {"StreamName": "other-stream"}),
    # 4 GetShardIterator
    "iterator-trim-horizon": request(4, {"StreamName": "alleycat", "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"}),
    "iterator-at-sequence": request(4, {"StreamName": "alleycat", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                                        "StartingSequenceNumber": "1000000000000000000000001"}),
    "iterator-at-timestamp": request(4, {"StreamARN": ARN, "ShardId": "shardId-000000000001", "ShardIteratorType": "AT_TIMESTAMP",
                                         "Timestamp": 1764380851.5}),
    "iterator-latest-unknown-shard": request(4, {"StreamName": "alleycat", "ShardId": "shardId-000000000009", "ShardIteratorType": "LATEST"}),
    # 5 GetRecords, with iterators the fuzz API accepts (libFuzzer cannot forge the keyed check)
    "getrecords-shard-0": request(5, {"ShardIterator": iterator(0, 1)}),
    "getrecords-shard-1-limit": request(5, {"StreamARN": ARN, "ShardIterator": iterator(1, 1), "Limit": 1}),
    "getrecords-unknown-shard": request(5, {"ShardIterator": iterator(7, 1)}),
    "getrecords-counter-max": request(5, {"ShardIterator": iterator(0, MASK)}),
    "getrecords-expired": request(5, {"ShardIterator": iterator(0, 1, issued=CLOCK_MILLIS - 300_001)}),
    # malformed bodies
    "malformed-truncated": '0{"StreamName":"alleycat","Data":"eA=',
    "malformed-array-body": '1[]',
    "malformed-empty-body": '3',
    "malformed-deep-nesting": '2{"x":' + '[' * 70 + ']' * 70 + '}',
    "malformed-lone-surrogate": '3{"StreamName":"\\ud800"}',
}


class Tag:
    """A CBOR tag on a value."""

    def __init__(self, number, value):
        self.number, self.value = number, value


class Raw:
    """Bytes that go into a CBOR seed as they are."""

    def __init__(self, data):
        self.data = data


def head(major, argument):
    """A CBOR head in its shortest form."""
    for info, size in ((None, 0), (24, 1), (25, 2), (26, 4), (27, 8)):
        if info is None and argument < 24:
            return bytes([major << 5 | argument])
        if info is not None and argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise ValueError(argument)


def cbor(value):
    if isinstance(value, Raw):
        return value.data
    if value is False or value is True:
        return bytes([0xF5 if value else 0xF4])
    if value is None:
        return b"\xf6"
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        return head(3, len(value.encode())) + value.encode()
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(cbor(item) for item in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(key) + cbor(item) for key, item in value.items())
    if isinstance(value, Tag):
        return head(6, value.number) + cbor(value.value)
    raise TypeError(value)


def indefinite(initial, parts):
    """An indefinite-length item: its initial byte, its parts (items, chunks, or keys and
    values one after the other) and the break."""
    return Raw(bytes([initial]) + b"".join(cbor(part) for part in parts) + b"\xff")


CBOR_PUT = {"StreamName": "alleycat", "Data": record().encode(), "PartitionKey": "racer-123"}

CBOR_REQUESTS = {
    "putrecord": cbor(CBOR_PUT),
    "putrecords-two": cbor({"StreamARN": ARN, "Records": [
        {"Data": b"x", "PartitionKey": "a"},
        {"Data": bytes([0, 255, 10]), "PartitionKey": "\u00e9\"\n", "ExplicitHashKey": "0"}]}),
    "getrecords": cbor({"ShardIterator": iterator(0, 1), "Limit": 100}),
    "iterator-at-timestamp": cbor({"StreamName": "alleycat", "ShardId": "shardId-000000000001",
                                   "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": Tag(1, 1764380851500)}),
    "listshards-nested-filter": cbor({"StreamARN": ARN, "MaxResults": 1,
                                      "ShardFilter": {"Type": "AT_TIMESTAMP", "Timestamp": Tag(1, -1500)}}),
    # {_ "StreamName": (_ "alley", "cat"), "Records": [_ {_ "Data": (_ h'01', h'0203'), "PartitionKey": "k"}]}
    "indefinite-lengths": cbor(indefinite(0xBF, [
        "StreamName", indefinite(0x7F, ["alley", "cat"]),
        "Records", indefinite(0x9F, [indefinite(0xBF, [
            "Data", indefinite(0x5F, [b"\x01", b"\x02\x03"]), "PartitionKey", "k"])])])),
    "numbers-and-simple-values": cbor({"Limit": 1.5, "Half": Raw(b"\xf9\x3e\x00"), "Single": Raw(b"\xfa\x47\xc3\x50\x00"),
                                       "Ints": [0, 23, 24, 2**64 - 1, -1, -(2**64)], "Flags": [True, False, None, Raw(b"\xf7")],
                                       "Tagged": Tag(32, "http://www.example.com")}),
    "malformed-truncated": cbor(CBOR_PUT)[:-4],
    "malformed-trailing-byte": cbor({"StreamName": "alleycat"}) + b"\x00",
    "malformed-depth-65": b"\x81" * 65 + b"\x00",
    "malformed-invalid-utf8": cbor({"StreamName": Raw(b"\x62\xc3\x28")}),
    "malformed-length-beyond-end": cbor({"StreamName": Raw(b"\x7a\xee\x6b\x28\x00")}) + b"alleycat",
    "malformed-lone-break": cbor({"StreamName": Raw(b"\xff")}),
    "refused-nan": cbor({"Limit": Raw(b"\xf9\x7e\x00")}),
    "refused-integer-key": cbor({1: 2}),
    "refused-seconds-timestamp": cbor({"Timestamp": Tag(1, 1764380851.5)}),
}


def mqtt_length(value):
    """A remaining length (MQTT 3.1.1 §2.2.3) in its shortest form."""
    encoded = bytearray()
    while True:
        group, value = value & 0x7F, value >> 7
        encoded.append(group | 0x80 if value else group)
        if not value:
            return bytes(encoded)


def mqtt_string(text):
    """A UTF-8 string (§1.5.3), or binary data when given bytes: two-byte length, then the bytes."""
    data = text if isinstance(text, bytes) else text.encode()
    return struct.pack(">H", len(data)) + data


def mqtt_id(packet_id):
    return struct.pack(">H", packet_id)


def mqtt(first, *fields):
    """A packet: its first byte (type and flags), the remaining length, the fields."""
    body = b"".join(fields)
    return bytes([first]) + mqtt_length(len(body)) + body


MQTT_CONNACK = mqtt(0x20, b"\x01\x00")
MQTT_PUBLISH_QOS0 = mqtt(0x30, mqtt_string("alleycat/race/5666666"), record().encode())
MQTT_PUBLISH_QOS1 = mqtt(0x32, mqtt_string("alleycat-publish"), mqtt_id(7), record().encode())
MQTT_SUBACK = mqtt(0x90, mqtt_id(1), bytes([0, 1, 2, 0x80]))

MQTT_PACKETS = {
    "connect-clean-session": mqtt(0x10, mqtt_string("MQTT"), bytes([4, 0x02]), mqtt_id(60), mqtt_string("alleycat")),
    # Flags 0xEC: user name, password, will retain, will QoS 1, will; no clean session.
    "connect-will-credentials": mqtt(0x10, mqtt_string("MQTT"), bytes([4, 0xEC]), mqtt_id(30), mqtt_string("racer-123"),
                                     mqtt_string("alleycat/racers/123/status"), mqtt_string(b"gone"),
                                     mqtt_string("zo\u00eb"), mqtt_string(b"\x00\xffsecret")),
    "connack-session-present": MQTT_CONNACK,
    "publish-qos0": MQTT_PUBLISH_QOS0,
    "publish-qos1": MQTT_PUBLISH_QOS1,
    "publish-qos2-dup-retain": mqtt(0x3D, mqtt_string("alleycat/zo\u00eb/\U0001f6b2"), mqtt_id(65535)),
    "puback": mqtt(0x40, mqtt_id(7)),
    "pubrec-pubrel-pubcomp": mqtt(0x50, mqtt_id(8)) + mqtt(0x62, mqtt_id(8)) + mqtt(0x70, mqtt_id(8)),
    "subscribe-three-filters": mqtt(0x82, mqtt_id(1), mqtt_string("sport/tennis/#"), b"\x00", mqtt_string("+/x"), b"\x01",
                                    mqtt_string("$SYS/#"), b"\x02"),
    "suback-every-code": MQTT_SUBACK,
    "unsubscribe-two-filters": mqtt(0xA2, mqtt_id(2), mqtt_string("sport/tennis/#"), mqtt_string("+/x")),
    "unsuback": mqtt(0xB0, mqtt_id(2)),
    "ping-disconnect": mqtt(0xC0) + mqtt(0xD0) + mqtt(0xE0),
    "stream-session": MQTT_CONNACK + MQTT_SUBACK + MQTT_PUBLISH_QOS0 + MQTT_PUBLISH_QOS1 + mqtt(0xD0),
    "truncated-publish": MQTT_PUBLISH_QOS1[:-3],
    # Remaining length 2,097,152, the least that takes 4 bytes: over the check's limit.
    "length-4-bytes-over-limit": b"\x30\x80\x80\x80\x01" + mqtt_string("alleycat"),
    "length-5-bytes": b"\x30\xff\xff\xff\xff\x01",
    "length-not-shortest": b"\x40\x82\x00" + mqtt_id(7),
    "publish-wildcard-topic": mqtt(0x30, mqtt_string("alleycat/+/race"), b"{}"),
    "stream-then-reserved-type": mqtt(0x40, mqtt_id(7)) + mqtt(0xD0) + b"\xf0\x00",
}


def write(folder, seeds):
    path = os.path.join(ROOT, folder)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, text in seeds.items():
        data = text if isinstance(text, bytes) else text.encode()
        assert len(data) < 2048, f"{folder}/{name} is {len(data)} bytes: keep seeds under 2 KB"
        with open(os.path.join(path, name), "wb") as file:
            file.write(data)
    print(f"{len(seeds)} seeds in Fuzz/corpus/{folder}/")


if __name__ == "__main__":
    write("fuzz-record-parser", RECORDS)
    write("fuzz-kinesis-request", REQUESTS)
    write("fuzz-cbor-request", CBOR_REQUESTS)
    write("fuzz-mqtt-packet", MQTT_PACKETS)
