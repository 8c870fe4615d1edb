#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora: Fuzz/corpus/fuzz-record-parser/ and
Fuzz/corpus/fuzz-kinesis-request/. Each folder is emptied and written anew, so run it
after changing a seed here, then update the file counts in
Tests/FuzzChecksTests/FuzzChecksTests.swift. scripts/fuzz.sh fuzzes a copy of these
folders, so what libFuzzer adds while it runs never lands in the repository.

Kinesis inputs start with the action byte: the check takes
Action.allCases[(byte - 48) mod count], so "0".."5" (48..53) pick PutRecord, PutRecords,
ListShards, DescribeStreamSummary, GetShardIterator, GetRecords, "6".."8" ListStreams,
DescribeStream, DescribeLimits, "9" ":" ";" "<" "=" ">" the tag actions, "?" "@"
Increase- and DecreaseStreamRetentionPeriod and "A".."E" the refused encryption and
resource-policy actions, and the files read as text.
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


def write(folder, seeds):
    path = os.path.join(ROOT, folder)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, text in seeds.items():
        data = text.encode()
        assert len(data) < 2048, f"{folder}/{name} is {len(data)} bytes: keep seeds under 2 KB"
        with open(os.path.join(path, name), "wb") as file:
            file.write(data)
    print(f"{len(seeds)} seeds in Fuzz/corpus/{folder}/")


if __name__ == "__main__":
    write("fuzz-record-parser", RECORDS)
    write("fuzz-kinesis-request", REQUESTS)
