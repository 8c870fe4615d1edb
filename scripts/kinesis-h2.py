#!/usr/bin/env python3
r"""SubscribeToShard over HTTP/2 (h2c, prior knowledge), as the AWS SDK for Java v2 and the
KCL 2.x subscribe: against `alleycat serve --http2-port PORT`.

With httpx speaking only HTTP/2 (http1=False) and requests signed by botocore's SigV4
signer, checks, in order:

 1. DescribeStreamSummary over HTTP/2 answers, and the response says HTTP/2.
 2. RegisterStreamConsumer, then PutRecords of 3 records with one partition key.
 3. SubscribeToShard from TRIM_HORIZON on their shard: the body is an event stream
    (application/vnd.amazon.eventstream) read with botocore's EventStreamBuffer as it
    arrives: an initial-response, then SubscribeToShardEvents whose records start with
    the 3 put, byte for byte; the client then closes the stream.
 4. DeregisterStreamConsumer.

Prints `ok: <check>` per check and `kinesis-h2: N checks passed`; on the first failure
prints `FAIL: <check>: <details>` to stderr and exits 1.

Run:
    python3 kinesis-h2.py --endpoint http://127.0.0.1:H2PORT --api-key KEY --secret SECRET
"""
import argparse
import base64
import json
import sys
import uuid

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer

from checks import expect, run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", required=True, help="the --http2-port listener, e.g. http://127.0.0.1:8443")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--stream", default="alleycat")
    args = parser.parse_args()
    credentials = Credentials(args.api_key, args.secret)
    client = httpx.Client(http1=False, http2=True, timeout=30)
    state = {}

    def signed(action, payload):
        body = json.dumps(payload).encode()
        request = AWSRequest(method="POST", url=args.endpoint + "/", data=body, headers={
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"Kinesis_20131202.{action}"})
        SigV4Auth(credentials, "kinesis", args.region).add_auth(request)
        return client.build_request("POST", args.endpoint + "/", content=body, headers=dict(request.headers))

    def call(action, payload):
        response = client.send(signed(action, payload))
        expect(response.http_version == "HTTP/2", f"{action} went over {response.http_version}")
        expect(response.status_code == 200, f"{action}: HTTP {response.status_code}: {response.text}")
        return response.json()

    def describe():
        summary = call("DescribeStreamSummary", {"StreamName": args.stream})["StreamDescriptionSummary"]
        state["arn"] = summary["StreamARN"]
        return f"{summary['OpenShardCount']} open shard(s)"

    def register_and_put():
        name = f"h2-{uuid.uuid4().hex[:8]}"
        state["consumer"] = call("RegisterStreamConsumer", {"StreamARN": state["arn"], "ConsumerName": name})["Consumer"]["ConsumerARN"]
        state["data"] = [f"h2-record-{i}".encode() for i in range(3)]
        answer = call("PutRecords", {"StreamName": args.stream, "Records": [
            {"Data": base64.b64encode(d).decode(), "PartitionKey": state["consumer"]} for d in state["data"]]})
        expect(answer["FailedRecordCount"] == 0, f"PutRecords: {answer}")
        state["shard"] = answer["Records"][0]["ShardId"]
        state["sequences"] = [r["SequenceNumber"] for r in answer["Records"]]
        return state["shard"]

    def subscribe():
        request = signed("SubscribeToShard", {
            "ConsumerARN": state["consumer"], "ShardId": state["shard"], "StartingPosition": {"Type": "TRIM_HORIZON"}})
        response = client.send(request, stream=True)
        try:
            expect(response.http_version == "HTTP/2" and response.status_code == 200, f"HTTP {response.status_code} over {response.http_version}")
            expect(response.headers.get("content-type") == "application/vnd.amazon.eventstream",
                   f"Content-Type {response.headers.get('content-type')!r}")
            buffer, kinds, records = EventStreamBuffer(), [], []
            for chunk in response.iter_raw():
                buffer.add_data(chunk)
                for message in buffer:
                    kind = message.headers.get(":event-type")
                    kinds.append(kind)
                    if kind == "SubscribeToShardEvent":
                        records += [r for r in json.loads(message.payload)["Records"] if r["SequenceNumber"] in state["sequences"]]
                if len(records) >= 3:
                    break
        finally:
            response.close()
        expect(kinds[0] == "initial-response", f"events {kinds}")
        got = [base64.b64decode(r["Data"]) for r in records]
        expect(got == state["data"], f"records {got}, expected {state['data']}")
        return f"{len(kinds)} event(s)"

    def deregister():
        call("DeregisterStreamConsumer", {"ConsumerARN": state["consumer"]})

    checks = [
        ("DescribeStreamSummary over HTTP/2", describe),
        ("RegisterStreamConsumer and PutRecords over HTTP/2", register_and_put),
        ("SubscribeToShard over HTTP/2: initial-response, then the records put, as an event stream", subscribe),
        ("DeregisterStreamConsumer over HTTP/2", deregister),
    ]
    return run("kinesis-h2", checks)


if __name__ == "__main__":
    sys.exit(main())
