#!/usr/bin/env python3
r"""Check that an unmodified AWS SDK (boto3) works against the Kinesis-shaped API.

Points boto3's `kinesis` client at a running service that speaks the Kinesis Data
Streams JSON API (POST /, X-Amz-Target: Kinesis_20131202.<Action>) and checks, in order:

 1. DescribeStreamSummary: the stream exists, is ACTIVE and has >= 1 open shard.
 2. ListShards (following NextToken): the open shards' hash key ranges are contiguous,
    cover 0..2^128-1, and their count equals OpenShardCount.
 3. PutRecord of binary, non-UTF-8 data: the answer names a listed shard and a
    digit-string sequence number.
 4. PutRecords of 500 seeded pseudo-random binary records (mixed partition keys, explicit
    hash keys 0 and 2^128-1 landing on the first and last shard): no failures, one
    entry per record with a shard and a sequence number.
 5. Read back from AT_SEQUENCE_NUMBER on every shard written: each record comes back
    byte-identical, with the same partition key and sequence number, in increasing
    sequence order, with a datetime ApproximateArrivalTimestamp. AFTER_SEQUENCE_NUMBER
    of the last record gives none of ours; TRIM_HORIZON and LATEST are accepted.
 6. Errors: unknown stream -> 400 ResourceNotFoundException; PutRecords of 501 records
    -> 400 ValidationException; garbage iterator -> 400 InvalidArgumentException or
    ExpiredIteratorException.
 7. Auth (PutRecord): unsigned -> 403 MissingAuthenticationTokenException; unknown key
    -> 403 UnrecognizedClientException; --revoked-key -> 403 AccessDeniedException.
 8. ListStreams lists the stream, its ARN in the client's region; DescribeStream paged
    one shard at a time (Limit, ExclusiveStartShardId, HasMoreShards) gives the shards
    ListShards gave; DescribeLimits counts them as open.
 9. Tags: AddTagsToStream then ListTagsForStream and ListTagsForResource show them;
    RemoveTagsFromStream takes them off again (the stream's other tags are left alone).
14. Retention: IncreaseStreamRetentionPeriod to 48 h and back down; below 24 h refused.
13. Streams as resources: CreateStream of a new stream, boto3's stream_exists waiter, a
    PutRecord to it, ListStreams with it, DeleteStream and the stream_not_exists waiter.
12. Enhanced fan-out: RegisterStreamConsumer (ACTIVE), DescribeStreamConsumer and
    ListStreamConsumers show it; SubscribeToShard from the first record put streams
    SubscribeToShardEvents (read with boto3's event stream) that start with that record,
    byte for byte, with a ContinuationSequenceNumber; DeregisterStreamConsumer.
11. Resharding while reading (last, as it changes the stream): UpdateShardCount to twice
    the open shards; a reader of a parent reads it to its end, which gives ChildShards
    and no NextShardIterator; ListShards shows the parents closed and the children with
    their ParentShardId; a record put afterwards lands on a child.
10. Signatures (PutRecord): signed with a wrong secret, changed after signing, or signed
    20 minutes ago -> 400 InvalidSignatureException worded as AWS words it, and the
    record is not in the stream afterwards.

Only records this script put are compared; the stream may hold others. Nothing is
created. Prints `ok: <check>` per check and `kinesis-compat: N checks passed`; on the
first failure prints `FAIL: <check>: <details>` to stderr and exits 1.

Run:
    python3 kinesis-compat.py --endpoint http://127.0.0.1:PORT --api-key KEY --secret SECRET \
        [--revoked-key KEY2] [--stream alleycat] [--region us-east-1] [--seed 7] [--limit 100]
"""
import argparse
import datetime
import hashlib
import random
import re
import sys
import uuid

import boto3
import botocore
import botocore.auth
from botocore.config import Config
from botocore.exceptions import ClientError

MAX_HASH_KEY = 2**128 - 1
MISMATCH = "The request signature we calculated does not match the signature you provided."
DIGITS = re.compile(r"[0-9]+")
# 0x00, 0xff, a lone continuation byte, a bad 2-byte sequence, an encoded surrogate
# and a 5-byte lead: none of it survives a round trip through a UTF-8 string.
BINARY_DATA = b"\x00\xff\xfe\x80compat\xc3\x28\xed\xa0\x80\xf8\x88\x80\x80\x80\x00\xff"


class CheckFailed(Exception):
    pass


def expect(condition, details):
    if not condition:
        raise CheckFailed(details)


def client(args, key=None, unsigned=False, validate=True, secret=None):
    # Two retries ride out the key's rate limit (429) and connection hiccups; 4xx are not retried.
    config = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=5,
                    read_timeout=30, parameter_validation=validate,
                    signature_version=botocore.UNSIGNED if unsigned else None)
    keys = {} if unsigned else {"aws_access_key_id": key, "aws_secret_access_key": secret or args.secret}
    return boto3.client("kinesis", endpoint_url=args.endpoint, region_name=args.region,
                        config=config, **keys)


def byte_difference(want, got):
    if not isinstance(got, bytes):
        return f"expected {len(want)} bytes, got {got!r}"
    at = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
    return (f"expected {len(want)} bytes, got {len(got)}; first difference at byte {at}: "
            f"expected {want[at:at + 8].hex() or 'end'}, got {got[at:at + 8].hex() or 'end'}")


def decimal(text, where):
    expect(isinstance(text, str) and DIGITS.fullmatch(text), f"{where}: expected a decimal string, got {text!r}")
    return int(text)


def expect_error(call, codes, status):
    """Run `call`, which must raise ClientError with one of `codes` and HTTP `status`."""
    try:
        response = call()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        got = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        message = error.response.get("Error", {}).get("Message")
        expect(code in codes and got == status,
               f"expected HTTP {status} {' or '.join(codes)}, got HTTP {got} {code} ({message!r})")
        return code
    response.pop("ResponseMetadata", None)
    raise CheckFailed(f"expected HTTP {status} {' or '.join(codes)}, got success: {response}")


class Compat:
    def __init__(self, args):
        self.args = args
        self.stream = args.stream
        self.kinesis = client(args, args.api_key)
        self.shards = []        # open shards sorted by hash range: (shard id, start, end)
        self.open_count = 0
        self.puts = []          # what we put: dicts of label, data, key, shard, seq

    def shard_for(self, key):
        return next(shard for shard, start, end in self.shards if start <= key <= end)

    def describe(self):
        summary = self.kinesis.describe_stream_summary(StreamName=self.stream)["StreamDescriptionSummary"]
        expect(summary.get("StreamName") == self.stream,
               f"StreamName: expected {self.stream!r}, got {summary.get('StreamName')!r}")
        expect(summary.get("StreamStatus") == "ACTIVE",
               f"StreamStatus: expected 'ACTIVE', got {summary.get('StreamStatus')!r}")
        count = summary.get("OpenShardCount")
        expect(isinstance(count, int) and count >= 1, f"OpenShardCount: expected an integer >= 1, got {count!r}")
        self.open_count = count
        return f"{count} open shard(s)"

    def list_shards(self):
        response = self.kinesis.list_shards(StreamName=self.stream)
        listed, pages = list(response.get("Shards", [])), 1
        while response.get("NextToken"):
            expect(pages < 1000, "NextToken still set after 1000 pages")
            # Kinesis refuses StreamName together with NextToken: the token names the stream.
            response = self.kinesis.list_shards(NextToken=response["NextToken"])
            listed += response.get("Shards", [])
            pages += 1
        expect(listed, "expected at least one shard, got none")
        for shard in listed:
            shard_id, ranges = shard.get("ShardId"), shard.get("HashKeyRange") or {}
            if "EndingSequenceNumber" in (shard.get("SequenceNumberRange") or {}):
                continue  # closed by a reshard; its range is covered by its children
            start = decimal(ranges.get("StartingHashKey"), f"{shard_id} StartingHashKey")
            end = decimal(ranges.get("EndingHashKey"), f"{shard_id} EndingHashKey")
            expect(start <= end, f"{shard_id}: StartingHashKey {start} > EndingHashKey {end}")
            self.shards.append((shard_id, start, end))
        self.shards.sort(key=lambda s: s[1])
        ids = [s[0] for s in self.shards]
        expect(len(set(ids)) == len(ids), f"shard ids repeat: {ids}")
        expect(len(self.shards) == self.open_count,
               f"expected {self.open_count} open shards (OpenShardCount), ListShards gave {len(self.shards)}: {ids}")
        expect(self.shards[0][1] == 0, f"first range starts at {self.shards[0][1]}, expected 0")
        for (prev, _, prev_end), (shard, start, _) in zip(self.shards, self.shards[1:]):
            expect(start == prev_end + 1, f"{shard} starts at {start}, expected {prev_end + 1} (after {prev})")
        expect(self.shards[-1][2] == MAX_HASH_KEY,
               f"last range ends at {self.shards[-1][2]}, expected 2^128-1 = {MAX_HASH_KEY}")
        return f"{len(self.shards)} shard(s), {pages} page(s)"

    def check_entry(self, entry, where):
        shard, seq = entry.get("ShardId"), entry.get("SequenceNumber")
        expect(shard in [s[0] for s in self.shards],
               f"{where}: ShardId {shard!r} is not one of the listed shards {[s[0] for s in self.shards]}")
        expect(isinstance(seq, str) and DIGITS.fullmatch(seq),
               f"{where}: SequenceNumber expected a string of digits, got {seq!r}")
        return shard, seq

    def put_record(self):
        key = "compat-binary"
        response = self.kinesis.put_record(StreamName=self.stream, Data=BINARY_DATA, PartitionKey=key)
        shard, seq = self.check_entry(response, "PutRecord answer")
        self.puts.append({"label": "PutRecord record", "data": BINARY_DATA, "key": key, "shard": shard, "seq": seq})
        return f"{shard}, sequence {seq}"

    def batch(self):
        rng = random.Random(self.args.seed)
        records = []
        for i in range(500):
            kind = i % 5
            if kind == 0:
                key = f"racer-{rng.randrange(40)}"  # repeated keys
            elif kind == 1:
                key = f"{rng.getrandbits(128):032x}"
            elif kind == 2:
                key = rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
            elif kind == 3:
                key = f"ключ-{i}-ü-\U0001f6b2"  # non-ASCII, one character outside the BMP
            else:
                key = "p" * (256 if i == 4 else rng.randint(20, 255))  # up to the 256 limit
            records.append({"Data": rng.randbytes(rng.randint(1, 300)), "PartitionKey": key})
        explicit = {17: 0, 333: MAX_HASH_KEY}
        for index, value in explicit.items():
            records[index]["ExplicitHashKey"] = str(value)
        response = self.kinesis.put_records(StreamName=self.stream, Records=records)
        expect("FailedRecordCount" in response, f"FailedRecordCount missing from the answer: {sorted(response)}")
        failed = [(i, e.get("ErrorCode"), e.get("ErrorMessage"))
                  for i, e in enumerate(response.get("Records", [])) if e.get("ErrorCode")]
        expect(response["FailedRecordCount"] == 0,
               f"FailedRecordCount: expected 0, got {response['FailedRecordCount']} (first failures: {failed[:3]})")
        entries = response.get("Records", [])
        expect(len(entries) == 500, f"expected 500 result entries, got {len(entries)}")
        for i, (record, entry) in enumerate(zip(records, entries)):
            expect(not entry.get("ErrorCode"), f"entry {i}: unexpected ErrorCode {entry.get('ErrorCode')!r}")
            shard, seq = self.check_entry(entry, f"entry {i}")
            self.puts.append({"label": f"PutRecords record #{i}", "data": record["Data"],
                              "key": record["PartitionKey"], "shard": shard, "seq": seq})
        for index, value in explicit.items():
            want, got = self.shard_for(value), entries[index]["ShardId"]
            expect(got == want, f"entry {index} (ExplicitHashKey {value}): expected shard {want}, got {got}")
        seen = {}
        for put in self.puts:
            other = seen.setdefault((put["shard"], int(put["seq"])), put["label"])
            expect(other == put["label"], f"{put['label']} and {other} share {put['shard']} sequence {put['seq']}")
        return f"{len({e['ShardId'] for e in entries})} shard(s) written"

    def iterator(self, shard, kind, seq=None):
        extra = {"StartingSequenceNumber": seq} if seq is not None else {}
        response = self.kinesis.get_shard_iterator(StreamName=self.stream, ShardId=shard,
                                                   ShardIteratorType=kind, **extra)
        it = response.get("ShardIterator")
        expect(isinstance(it, str) and it, f"{kind} on {shard}: expected a ShardIterator string, got {it!r}")
        return it

    def read_back(self):
        by_shard = {}
        for put in self.puts:
            by_shard.setdefault(put["shard"], {})[int(put["seq"])] = put
        pages_total = 0
        for shard, pending in sorted(by_shard.items()):
            first = min(pending)
            it = self.iterator(shard, "AT_SEQUENCE_NUMBER", pending[first]["seq"])
            done, last, last_seq, pages, idle, response = set(), -1, None, 0, 0, {}
            while pending and it and pages < 10000 and idle < 20:
                response = self.kinesis.get_records(ShardIterator=it, Limit=self.args.limit)
                pages += 1
                records = response.get("Records", [])
                for record in records:
                    seq = record.get("SequenceNumber")
                    number = decimal(seq, f"{shard} GetRecords SequenceNumber")
                    expect(number not in done, f"{shard}: sequence {seq} returned twice")
                    if last_seq is None:  # AT_SEQUENCE_NUMBER starts at that very record
                        expect(number == first, f"{shard}: AT_SEQUENCE_NUMBER {pending[first]['seq']} "
                                                f"started at sequence {seq}, expected that record first")
                    put = pending.pop(number, None)
                    if put is None:
                        continue  # not ours
                    where = f"{put['label']} ({shard}, sequence {put['seq']})"
                    expect(seq == put["seq"], f"{where}: SequenceNumber came back as {seq!r}")
                    expect(number > last, f"{where}: came back after sequence {last_seq}, out of order")
                    expect(record.get("Data") == put["data"],
                           f"{where}: Data {byte_difference(put['data'], record.get('Data'))}")
                    expect(record.get("PartitionKey") == put["key"],
                           f"{where}: PartitionKey expected {put['key']!r}, got {record.get('PartitionKey')!r}")
                    stamp = record.get("ApproximateArrivalTimestamp")
                    expect(isinstance(stamp, datetime.datetime),
                           f"{where}: ApproximateArrivalTimestamp expected a datetime, got {stamp!r}")
                    done.add(number)
                    last, last_seq = number, seq
                idle = 0 if records else idle + 1
                if not records and response.get("MillisBehindLatest") == 0:
                    break
                it = response.get("NextShardIterator")
            if pending:
                put = pending[min(pending)]
                raise CheckFailed(f"{shard}: {len(pending)} record(s) not found after {pages} GetRecords page(s) "
                                  f"(last MillisBehindLatest {response.get('MillisBehindLatest')!r}, NextShardIterator "
                                  f"{'set' if it else 'missing'}); first missing: {put['label']} sequence {put['seq']}")
            pages_total += pages
        return f"{len(self.puts)} records from {len(by_shard)} shard(s) in {pages_total} page(s)"

    def after_last(self):
        shard = self.puts[-1]["shard"]
        ours = {int(p["seq"]): p for p in self.puts if p["shard"] == shard}
        last = max(ours)
        it = self.iterator(shard, "AFTER_SEQUENCE_NUMBER", ours[last]["seq"])
        for _ in range(20):
            response = self.kinesis.get_records(ShardIterator=it, Limit=self.args.limit)
            for record in response.get("Records", []):
                number = decimal(record.get("SequenceNumber"), f"{shard} GetRecords SequenceNumber")
                expect(number > last,
                       f"{shard}: AFTER_SEQUENCE_NUMBER {ours[last]['seq']} returned sequence "
                       f"{record.get('SequenceNumber')} ({ours[number]['label'] if number in ours else 'not ours'})")
            it = response.get("NextShardIterator")
            if not it or (not response.get("Records") and response.get("MillisBehindLatest") == 0):
                break
        return f"{shard} after {ours[last]['seq']}"

    def other_iterators(self):
        shard = self.shards[0][0]
        for kind in ("TRIM_HORIZON", "LATEST"):
            response = self.kinesis.get_records(ShardIterator=self.iterator(shard, kind), Limit=1)
            expect(isinstance(response.get("Records"), list), f"GetRecords from {kind}: Records missing")
        return shard

    def missing_stream(self):
        name = f"{self.stream}-missing-{uuid.uuid4().hex[:8]}"
        expect_error(lambda: self.kinesis.describe_stream_summary(StreamName=name),
                     ["ResourceNotFoundException"], 400)

    def too_many_records(self):
        unchecked = client(self.args, self.args.api_key, validate=False)
        records = [{"Data": b"x", "PartitionKey": f"k{i}"} for i in range(501)]
        expect_error(lambda: unchecked.put_records(StreamName=self.stream, Records=records),
                     ["ValidationException"], 400)

    def garbage_iterator(self):
        return expect_error(lambda: self.kinesis.get_records(ShardIterator="compat-not-an-iterator%%"),
                            ["InvalidArgumentException", "ExpiredIteratorException"], 400)

    def list_streams(self):
        response = self.kinesis.list_streams()
        expect(self.stream in response.get("StreamNames", []), f"StreamNames: expected {self.stream!r} in {response.get('StreamNames')!r}")
        summary = next((s for s in response.get("StreamSummaries", []) if s.get("StreamName") == self.stream), {})
        arn = summary.get("StreamARN", "")
        expect(arn.startswith(f"arn:aws:kinesis:{self.args.region}:") and arn.endswith(f":stream/{self.stream}"),
               f"StreamARN: expected one in region {self.args.region}, got {arn!r}")
        return arn

    def describe_stream(self):
        listed, start, pages = [], None, 0
        while True:
            request = {"StreamName": self.stream, "Limit": 1}
            if start:
                request["ExclusiveStartShardId"] = start
            description = self.kinesis.describe_stream(**request)["StreamDescription"]
            shards = description.get("Shards", [])
            expect(len(shards) <= 1, f"Limit 1 gave {len(shards)} shards")
            listed += [shard["ShardId"] for shard in shards]
            pages += 1
            if not description.get("HasMoreShards"):
                break
            expect(shards and pages < 10_000, "HasMoreShards still true without shards")
            start = shards[-1]["ShardId"]
        want = [shard for shard, _, _ in sorted(self.shards, key=lambda s: s[0])]
        expect(sorted(listed) == want, f"DescribeStream gave {listed}, ListShards {want}")
        limits = self.kinesis.describe_limits()
        expect(limits.get("OpenShardCount") == self.open_count,
               f"DescribeLimits OpenShardCount: expected {self.open_count}, got {limits.get('OpenShardCount')!r}")
        return f"{pages} page(s)"

    def tags(self):
        ours = {f"compat-{uuid.uuid4().hex[:8]}": "one", f"compat-{uuid.uuid4().hex[:8]}": "two"}
        self.kinesis.add_tags_to_stream(StreamName=self.stream, Tags=ours)
        listed = {t["Key"]: t["Value"] for t in self.kinesis.list_tags_for_stream(StreamName=self.stream)["Tags"]}
        expect(all(listed.get(k) == v for k, v in ours.items()), f"ListTagsForStream: expected {ours} among {listed}")
        arn = self.kinesis.describe_stream_summary(StreamName=self.stream)["StreamDescriptionSummary"]["StreamARN"]
        by_arn = {t["Key"]: t["Value"] for t in self.kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"]}
        expect(by_arn == listed, f"ListTagsForResource gave {by_arn}, ListTagsForStream {listed}")
        self.kinesis.remove_tags_from_stream(StreamName=self.stream, TagKeys=list(ours))
        after = {t["Key"] for t in self.kinesis.list_tags_for_stream(StreamName=self.stream)["Tags"]}
        expect(not (after & set(ours)), f"RemoveTagsFromStream left {after & set(ours)}")
        return f"{len(ours)} tags added and removed"

    def forged(self, how, message):
        """A PutRecord signed wrongly (`how` makes the client): 400 InvalidSignatureException
        whose message starts with `message`, and the record is not in its shard afterwards."""
        partition_key = f"compat-forged-{uuid.uuid4().hex[:8]}"
        shard = self.shard_for(int(hashlib.md5(partition_key.encode()).hexdigest(), 16))
        before = self.iterator(shard, "LATEST")
        kinesis, restore = how()
        try:
            kinesis.put_record(StreamName=self.stream, Data=b"forged", PartitionKey=partition_key)
        except ClientError as error:
            code, text = error.response.get("Error", {}).get("Code"), error.response.get("Error", {}).get("Message", "")
            got = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            expect(code == "InvalidSignatureException" and got == 400 and text.startswith(message),
                   f"expected HTTP 400 InvalidSignatureException '{message}...', got HTTP {got} {code} ({text!r})")
        else:
            raise CheckFailed("expected HTTP 400 InvalidSignatureException, got success")
        finally:
            restore()
        response = self.kinesis.get_records(ShardIterator=before, Limit=self.args.limit)
        stored = [r for r in response.get("Records", []) if r.get("PartitionKey") == partition_key]
        expect(not stored, f"the refused record is in {shard}: {stored}")
        return shard

    def retention(self):
        self.kinesis.increase_stream_retention_period(StreamName=self.stream, RetentionPeriodHours=48)
        hours = self.kinesis.describe_stream_summary(StreamName=self.stream)["StreamDescriptionSummary"]["RetentionPeriodHours"]
        expect(hours == 48, f"RetentionPeriodHours {hours} after IncreaseStreamRetentionPeriod to 48")
        self.kinesis.decrease_stream_retention_period(StreamName=self.stream, RetentionPeriodHours=24)
        expect_error(lambda: self.kinesis.decrease_stream_retention_period(StreamName=self.stream, RetentionPeriodHours=12),
                     ["InvalidArgumentException"], 400)
        return "48 h, then 24 h again"

    def streams_as_resources(self):
        name = f"compat-{uuid.uuid4().hex[:8]}"
        self.kinesis.create_stream(StreamName=name, ShardCount=2)
        self.kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        put = self.kinesis.put_record(StreamName=name, Data=b"made", PartitionKey="compat")
        expect(put["ShardId"].startswith("shardId-"), f"PutRecord to {name} answered {put}")
        names = self.kinesis.list_streams()["StreamNames"]
        expect(name in names and self.stream in names, f"ListStreams lists {names}")
        self.kinesis.delete_stream(StreamName=name)
        self.kinesis.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        expect(name not in self.kinesis.list_streams()["StreamNames"], f"{name} is still listed after DeleteStream")
        return name

    def fan_out(self):
        arn = self.kinesis.describe_stream_summary(StreamName=self.stream)["StreamDescriptionSummary"]["StreamARN"]
        name = f"compat-{uuid.uuid4().hex[:8]}"
        consumer = self.kinesis.register_stream_consumer(StreamARN=arn, ConsumerName=name)["Consumer"]
        expect(consumer.get("ConsumerStatus") == "ACTIVE" and consumer["ConsumerARN"].startswith(f"{arn}/consumer/{name}:"),
               f"RegisterStreamConsumer answered {consumer}")
        described = self.kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
        expect(described.get("ConsumerName") == name and described.get("StreamARN") == arn, f"DescribeStreamConsumer answered {described}")
        listed = [c["ConsumerName"] for c in self.kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]]
        expect(name in listed, f"ListStreamConsumers lists {listed}, not {name}")
        first = self.puts[0]
        response = self.kinesis.subscribe_to_shard(
            ConsumerARN=consumer["ConsumerARN"], ShardId=first["shard"],
            StartingPosition={"Type": "AT_SEQUENCE_NUMBER", "SequenceNumber": first["seq"]})
        events = response["EventStream"]
        got = []
        try:
            for event in events:
                body = event.get("SubscribeToShardEvent")
                expect(body is not None, f"an event that is not a SubscribeToShardEvent: {event}")
                decimal(body.get("ContinuationSequenceNumber"), "ContinuationSequenceNumber")
                got += body.get("Records", [])
                if got:
                    break
        finally:
            events.close()
        expect(got[0]["SequenceNumber"] == first["seq"] and got[0]["Data"] == first["data"],
               f"the first record streamed is {got[0]['SequenceNumber']}, not {first['label']} {first['seq']}: {byte_difference(first['data'], got[0]['Data'])}")
        self.kinesis.deregister_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
        listed = [c["ConsumerName"] for c in self.kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]]
        expect(name not in listed, f"{name} is still listed after DeregisterStreamConsumer")
        return f"{len(got)} record(s) in the first event from {first['shard']}"

    def reshard_while_reading(self):
        parent = self.shards[0][0]
        it = self.iterator(parent, "TRIM_HORIZON")
        answer = self.kinesis.update_shard_count(StreamName=self.stream, TargetShardCount=2 * self.open_count,
                                                 ScalingType="UNIFORM_SCALING")
        expect(answer.get("CurrentShardCount") == self.open_count and answer.get("TargetShardCount") == 2 * self.open_count,
               f"UpdateShardCount answered {answer}")
        shards = {s["ShardId"]: s for s in self.kinesis.list_shards(StreamName=self.stream)["Shards"]}
        expect("EndingSequenceNumber" in shards[parent]["SequenceNumberRange"], f"{parent} is not closed: {shards[parent]}")
        children = sorted(i for i, s in shards.items() if parent in (s.get("ParentShardId"), s.get("AdjacentParentShardId")))
        expect(len(children) == 2, f"{parent} has children {children}, expected 2")
        pages = 0
        while it and pages < 1000:
            response = self.kinesis.get_records(ShardIterator=it, Limit=self.args.limit)
            it = response.get("NextShardIterator")
            pages += 1
        expect(it is None, f"{parent} still gives a NextShardIterator after {pages} pages")
        named = sorted(c["ShardId"] for c in response.get("ChildShards", []))
        expect(named == children, f"ChildShards at the end of {parent}: {named}, expected {children}")
        open_now = {i for i, s in shards.items() if "EndingSequenceNumber" not in s["SequenceNumberRange"]}
        expect(len(open_now) == 2 * self.open_count, f"{len(open_now)} open shards, expected {2 * self.open_count}")
        put = self.kinesis.put_record(StreamName=self.stream, Data=b"after", PartitionKey="compat-after-reshard")
        expect(put["ShardId"] in open_now, f"a record put after the reshard went to {put['ShardId']}, not an open shard")
        return f"{parent} read to its end in {pages} page(s), children {', '.join(children)}"

    def wrong_secret(self):
        return client(self.args, self.args.api_key, secret="not-the-secret-of-this-key"), lambda: None

    def changed_after_signing(self):
        kinesis = client(self.args, self.args.api_key)

        def change(request, **_):  # the same length, so Content-Length still holds
            request.body = request.body.replace(b"compat-forged", b"compat-FORGED")
        kinesis.meta.events.register("before-send.kinesis.PutRecord", change)
        return kinesis, lambda: None

    def signed_long_ago(self):
        real = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = lambda: real() - datetime.timedelta(minutes=20)

        def restore():
            botocore.auth.get_current_datetime = real
        return client(self.args, self.args.api_key), restore

    def auth(self, code, **how):
        kinesis = client(self.args, **how)
        expect_error(lambda: kinesis.put_record(StreamName=self.stream, Data=b"auth", PartitionKey="compat-auth"),
                     [code], 403)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", required=True, help="e.g. http://127.0.0.1:8080")
    parser.add_argument("--api-key", required=True, help="a valid API key (sent as the access key id)")
    parser.add_argument("--secret", required=True, help="that key's secret ('alleycat keys create' prints it)")
    parser.add_argument("--revoked-key", help="a revoked API key; checks it gets 403 AccessDeniedException")
    parser.add_argument("--stream", default="alleycat")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--seed", type=int, default=7, help="seed of the PutRecords data (default 7)")
    parser.add_argument("--limit", type=int, default=100, help="GetRecords Limit (default 100)")
    args = parser.parse_args()
    c = Compat(args)
    checks = [
        ("DescribeStreamSummary: stream ACTIVE with open shards", c.describe),
        ("ListShards: hash key ranges contiguous over 0..2^128-1", c.list_shards),
        ("ListStreams: the stream, its ARN in the client's region", c.list_streams),
        ("DescribeStream paged by one shard, and DescribeLimits, agree with ListShards", c.describe_stream),
        ("Tags added, listed by stream and by ARN, removed", c.tags),
        ("PutRecord of binary data", c.put_record),
        ("PutRecords of 500 records incl. ExplicitHashKey 0 and 2^128-1", c.batch),
        ("GetRecords from AT_SEQUENCE_NUMBER returns every record put, identical and in order", c.read_back),
        ("AFTER_SEQUENCE_NUMBER of the last record put returns none of ours", c.after_last),
        ("TRIM_HORIZON and LATEST iterators accepted", c.other_iterators),
        ("unknown stream: 400 ResourceNotFoundException", c.missing_stream),
        ("PutRecords of 501 records: 400 ValidationException", c.too_many_records),
        ("GetRecords with a garbage ShardIterator: 400", c.garbage_iterator),
        ("unsigned PutRecord: 403 MissingAuthenticationTokenException",
         lambda: c.auth("MissingAuthenticationTokenException", unsigned=True)),
        ("PutRecord with unknown key ACNOTAKEY: 403 UnrecognizedClientException",
         lambda: c.auth("UnrecognizedClientException", key="ACNOTAKEY")),
        ("PutRecord signed with a wrong secret: 400 InvalidSignatureException, nothing stored",
         lambda: c.forged(c.wrong_secret, MISMATCH)),
        ("PutRecord changed after signing: 400 InvalidSignatureException, nothing stored",
         lambda: c.forged(c.changed_after_signing, MISMATCH)),
        ("PutRecord signed 20 minutes ago: 400 InvalidSignatureException, nothing stored",
         lambda: c.forged(c.signed_long_ago, "Signature expired: ")),
    ]
    if args.revoked_key:
        checks.append(("PutRecord with the revoked key: 403 AccessDeniedException",
                       lambda: c.auth("AccessDeniedException", key=args.revoked_key)))
    checks.append(("Enhanced fan-out: a consumer registered, SubscribeToShard events read, deregistered", c.fan_out))
    checks.append(("Retention: IncreaseStreamRetentionPeriod to 48 h, Decrease to 24 h, below 24 h refused", c.retention))
    checks.append(("CreateStream, waited for, written to, listed, deleted, waited for", c.streams_as_resources))
    checks.append(("UpdateShardCount while reading: the parent read to its end gives ChildShards", c.reshard_while_reading))
    for what, check in checks:
        try:
            note = check()
        except CheckFailed as failure:
            details = str(failure)
        except ClientError as error:
            meta, err = error.response.get("ResponseMetadata", {}), error.response.get("Error", {})
            details = (f"unexpected error HTTP {meta.get('HTTPStatusCode')} {err.get('Code')}: "
                       f"{err.get('Message')!r} ({error.operation_name})")
        except Exception as error:  # connection refused, unparseable answer, missing fields
            details = f"unexpected {type(error).__name__}: {error}"
        else:
            print(f"ok: {what}" + (f" ({note})" if note else ""))
            continue
        print(f"FAIL: {what}: {details}", file=sys.stderr)
        return 1
    print(f"kinesis-compat: {len(checks)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
