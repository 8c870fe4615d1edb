#!/usr/bin/env python3
r"""Check the Kinesis CBOR protocol (application/x-amz-cbor-1.1) against a running service.

Builds requests with cbor2 the way the AWS SDK for Java v2 (and so the KCL) builds them:
a CBOR map per request, record data as byte strings, timestamps as tag 1 on epoch
milliseconds; signs them with botocore's SigV4 signer; sends them over HTTP; decodes the
answers with cbor2. Checks, in order:

 1. PutRecords of 3 binary records: FailedRecordCount 0, a shard and sequence number each.
 2. GetShardIterator AT_TIMESTAMP (tag 1, milliseconds) then GetRecords: the records come
    back byte for byte as byte strings, with ApproximateArrivalTimestamp as tag 1 on
    integer milliseconds.
 3. A refusal in CBOR: DescribeStreamSummary of an unknown stream gives HTTP 400 and a
    CBOR map with __type ResourceNotFoundException (and the x-amzn-ErrorType header).
 4. Malformed CBOR (a map cut short) gives HTTP 400 SerializationException, in CBOR.

Prints `ok: <check>` per check and `kinesis-cbor: N checks passed`; on the first failure
prints `FAIL: <check>: <details>` to stderr and exits 1.

Run:
    python3 kinesis-cbor.py --endpoint http://127.0.0.1:PORT --api-key KEY --secret SECRET [--region us-east-1]
"""
import argparse
import sys
import time
import urllib.error
import urllib.request

import cbor2
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from checks import expect, run

CBOR = "application/x-amz-cbor-1.1"


def millis(value, _immutable=False):
    """Tag 1 as the Java SDK means it: an integer of epoch milliseconds, kept as such."""
    return ("epoch-millis", value)


class Client:
    def __init__(self, args):
        self.args = args
        self.credentials = Credentials(args.api_key, args.secret)

    def call(self, action, body):
        """POSTs `body` (bytes) as `action`; returns (status, headers, decoded answer)."""
        request = AWSRequest(method="POST", url=self.args.endpoint + "/", data=body, headers={
            "Content-Type": CBOR, "X-Amz-Target": f"Kinesis_20131202.{action}", "Accept": CBOR})
        SigV4Auth(self.credentials, "kinesis", self.args.region).add_auth(request)
        prepared = urllib.request.Request(self.args.endpoint + "/", data=body, method="POST", headers=dict(request.headers))
        try:
            with urllib.request.urlopen(prepared, timeout=30) as response:
                status, headers, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, raw = error.code, error.headers, error.read()
        expect(headers.get("Content-Type") == CBOR, f"{action} answered Content-Type {headers.get('Content-Type')!r}")
        return status, headers, cbor2.loads(raw, semantic_decoders={1: millis})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--api-key", required=True, help="a key's access key id ('alleycat keys create')")
    parser.add_argument("--secret", required=True, help="that key's secret")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--stream", default="alleycat")
    args = parser.parse_args()
    client = Client(args)
    state = {}
    data = [b"\x00\xffcbor-one", b"\x80\x81two", bytes(range(256))]

    def put_records():
        state["since"] = int(time.time() * 1000) - 1000
        status, _, answer = client.call("PutRecords", cbor2.dumps({
            "StreamName": args.stream,
            "Records": [{"Data": d, "PartitionKey": "cbor-check"} for d in data]}))
        expect(status == 200 and answer.get("FailedRecordCount") == 0, f"HTTP {status}: {answer}")
        entries = answer["Records"]
        expect(len(entries) == 3 and all(isinstance(e.get("SequenceNumber"), str) and e.get("ShardId") for e in entries),
               f"entries {entries}")
        state["shard"], state["sequences"] = entries[0]["ShardId"], [e["SequenceNumber"] for e in entries]
        return f"{state['shard']}, {state['sequences'][0]}..."

    def read_back():
        status, _, answer = client.call("GetShardIterator", cbor2.dumps({
            "StreamName": args.stream, "ShardId": state["shard"], "ShardIteratorType": "AT_TIMESTAMP",
            "Timestamp": cbor2.CBORTag(1, state["since"])}))
        expect(status == 200 and isinstance(answer.get("ShardIterator"), str), f"GetShardIterator: HTTP {status}: {answer}")
        iterator, ours = answer["ShardIterator"], []
        for _ in range(50):
            status, _, page = client.call("GetRecords", cbor2.dumps({"ShardIterator": iterator, "Limit": 1000}))
            expect(status == 200, f"GetRecords: HTTP {status}: {page}")
            ours += [r for r in page["Records"] if r["SequenceNumber"] in state["sequences"]]
            iterator = page.get("NextShardIterator")
            if len(ours) == 3 or not iterator:
                break
        expect([r["Data"] for r in ours] == data, f"read back {[r['Data'] for r in ours]}, expected {data}")
        stamps = [r["ApproximateArrivalTimestamp"] for r in ours]
        expect(all(s[0] == "epoch-millis" and isinstance(s[1], int) and abs(s[1] - time.time() * 1000) < 600_000 for s in stamps),
               f"ApproximateArrivalTimestamp should be tag 1 on integer milliseconds of now: {stamps}")
        return f"{len(ours)} records, arrival {stamps[0][1]} ms"

    def refusal():
        status, headers, answer = client.call("DescribeStreamSummary", cbor2.dumps({"StreamName": "no-such-stream"}))
        expect(status == 400 and answer.get("__type") == "ResourceNotFoundException"
               and headers.get("x-amzn-ErrorType") == "ResourceNotFoundException", f"HTTP {status}: {answer}")
        return answer["message"]

    def malformed():
        status, _, answer = client.call("PutRecord", cbor2.dumps({"StreamName": args.stream})[:-3])
        expect(status == 400 and answer.get("__type") == "SerializationException" and answer.get("message", "").startswith("CBOR: "),
               f"HTTP {status}: {answer}")
        return answer["message"]

    checks = [
        ("PutRecords of 3 binary records in CBOR", put_records),
        ("GetShardIterator AT_TIMESTAMP (tag 1 ms) and GetRecords: data as bytes, arrival as tag 1 ms", read_back),
        ("an unknown stream: 400 ResourceNotFoundException in CBOR", refusal),
        ("malformed CBOR: 400 SerializationException in CBOR", malformed),
    ]
    return run("kinesis-cbor", checks)


if __name__ == "__main__":
    sys.exit(main())
