#!/usr/bin/env bash
# The AWS CLI, unchanged, against a fresh `alleycat serve` (2 shards, scratch stream):
# every Kinesis action the service has, with the exact answers and errors of this fresh
# stream. Configured only as the SDKs are (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION), with a key and secret from
# `alleycat keys create`. Prints `ok: <check>` per check and `kinesis-cli: N checks
# passed`; on the first difference prints what was expected and what came, and exits 1.
#   CONFIG (release; CI uses debug, which `swift test` has built)
set -euo pipefail
cd "$(dirname "$0")/.."
config=${CONFIG:-release}
swift build -c "$config" --product alleycat >&2
bin=$(swift build -c "$config" --show-bin-path)
# shellcheck source=scripts/serve-lib.sh
source scripts/serve-lib.sh

work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
created=$("$bin/alleycat" keys create --name cli --data "$work/data" --json)
start_serve "$work/data" --in-memory --shards 2

export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=$(jq -r .key <<<"$created")
export AWS_SECRET_ACCESS_KEY=$(jq -r .secretAccessKey <<<"$created")
export AWS_DEFAULT_REGION=eu-west-1
unset AWS_PROFILE AWS_REGION AWS_ENDPOINT_URL_KINESIS
arn=arn:aws:kinesis:eu-west-1:000000000000:stream/alleycat
checks=0

# check NAME EXPECTED-JSON JQ-FILTER aws-args...: the answer, through the filter, is EXPECTED.
check() {
    local name=$1 expected=$2 filter=$3
    shift 3
    local answer got
    if ! answer=$(aws kinesis "$@" --output json 2>"$work/err"); then
        echo "FAIL: $name: aws kinesis $* failed: $(cat "$work/err")" >&2
        exit 1
    fi
    got=$(jq -c -S "$filter" <<<"${answer:-null}")
    if [[ $got != "$(jq -c -S . <<<"$expected")" ]]; then
        printf 'FAIL: %s: aws kinesis %s\n  expected %s\n  got      %s\n' "$name" "$*" "$(jq -c -S . <<<"$expected")" "$got" >&2
        exit 1
    fi
    checks=$((checks + 1))
    echo "ok: $name"
}

# refused NAME EXPECTED-ERROR-LINE aws-args...: the CLI fails with exactly this message.
refused() {
    local name=$1 expected=$2
    shift 2
    if aws kinesis "$@" >/dev/null 2>"$work/err"; then
        echo "FAIL: $name: aws kinesis $* succeeded" >&2
        exit 1
    fi
    local got
    got=$(grep -v '^$' "$work/err" | tail -1)
    if [[ $got != "$expected" ]]; then
        printf 'FAIL: %s: aws kinesis %s\n  expected %s\n  got      %s\n' "$name" "$*" "$expected" "$got" >&2
        exit 1
    fi
    checks=$((checks + 1))
    echo "ok: $name"
}

check "describe-stream-summary" \
    '{"StreamName":"alleycat","StreamARN":"'$arn'","StreamStatus":"ACTIVE","StreamModeDetails":{"StreamMode":"PROVISIONED"},"RetentionPeriodHours":24,"OpenShardCount":2,"ConsumerCount":0}' \
    '.StreamDescriptionSummary | {StreamName, StreamARN, StreamStatus, StreamModeDetails, RetentionPeriodHours, OpenShardCount, ConsumerCount}' \
    describe-stream-summary --stream-name alleycat
check "list-streams" '{"StreamNames":["alleycat"],"HasMoreStreams":false,"ARNs":["'$arn'"]}' \
    '{StreamNames, HasMoreStreams, ARNs: [.StreamSummaries[].StreamARN]}' list-streams --no-paginate
check "list-shards: two shards halving the hash key space" \
    '[["shardId-000000000000","0","170141183460469231731687303715884105727","1000000000000000000000001"],["shardId-000000000001","170141183460469231731687303715884105728","340282366920938463463374607431768211455","1000001000000000000000001"]]' \
    '[.Shards[] | [.ShardId, .HashKeyRange.StartingHashKey, .HashKeyRange.EndingHashKey, .SequenceNumberRange.StartingSequenceNumber]]' \
    list-shards --stream-name alleycat
check "describe-stream paged one shard a call" '{"ids":["shardId-000000000000"],"more":true}' \
    '{ids: [.StreamDescription.Shards[].ShardId], more: .StreamDescription.HasMoreShards}' \
    describe-stream --stream-name alleycat --no-paginate --limit 1
check "describe-limits" '{"ShardLimit":1024,"OpenShardCount":2,"OnDemandStreamCount":0,"OnDemandStreamCountLimit":50}' \
    '.' describe-limits
check "put-record: partition key a lands on shard 0" '{"ShardId":"shardId-000000000000","SequenceNumber":"1000000000000000000000001"}' \
    '{ShardId, SequenceNumber}' put-record --stream-name alleycat --partition-key a --data hello
check "put-records: a and b, one on each shard" \
    '{"FailedRecordCount":0,"Records":[{"ShardId":"shardId-000000000000","SequenceNumber":"1000000000000000000000002"},{"ShardId":"shardId-000000000001","SequenceNumber":"1000001000000000000000001"}]}' \
    '{FailedRecordCount, Records: [.Records[] | {ShardId, SequenceNumber}]}' \
    put-records --stream-arn "$arn" --records Data=again,PartitionKey=a Data=other,PartitionKey=b
iterator=$(aws kinesis get-shard-iterator --stream-name alleycat --shard-id shardId-000000000000 \
    --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
check "get-records from TRIM_HORIZON: both of shard 0, in order" \
    '[["1000000000000000000000001","a","aGVsbG8="],["1000000000000000000000002","a","YWdhaW4="]]' \
    '[.Records[] | [.SequenceNumber, .PartitionKey, .Data]]' get-records --shard-iterator "$iterator"
iterator=$(aws kinesis get-shard-iterator --stream-name alleycat --shard-id shardId-000000000000 \
    --shard-iterator-type AT_SEQUENCE_NUMBER --starting-sequence-number 1000000000000000000000002 --query ShardIterator --output text)
check "get-records AT_SEQUENCE_NUMBER of the second" '["YWdhaW4="]' '[.Records[].Data]' get-records --shard-iterator "$iterator"
iterator=$(aws kinesis get-shard-iterator --stream-name alleycat --shard-id shardId-000000000001 \
    --shard-iterator-type AFTER_SEQUENCE_NUMBER --starting-sequence-number 1000001000000000000000001 --query ShardIterator --output text)
check "get-records AFTER_SEQUENCE_NUMBER of the last: none, nothing behind" '{"Records":[],"MillisBehindLatest":0}' \
    '{Records, MillisBehindLatest}' get-records --shard-iterator "$iterator"

aws kinesis add-tags-to-stream --stream-name alleycat --tags team=racing,tier=gold
check "add-tags-to-stream, list-tags-for-stream" '[{"Key":"team","Value":"racing"},{"Key":"tier","Value":"gold"}]' \
    '.Tags' list-tags-for-stream --stream-name alleycat
aws kinesis remove-tags-from-stream --stream-name alleycat --tag-keys tier
check "remove-tags-from-stream, list-tags-for-resource by ARN" '[{"Key":"team","Value":"racing"}]' \
    '.Tags' list-tags-for-resource --resource-arn "$arn"

aws kinesis increase-stream-retention-period --stream-name alleycat --retention-period-hours 48
check "increase-stream-retention-period to 48 h" '48' '.StreamDescriptionSummary.RetentionPeriodHours' \
    describe-stream-summary --stream-name alleycat
refused "decrease-stream-retention-period below 24 h" \
    "An error occurred (InvalidArgumentException) when calling the DecreaseStreamRetentionPeriod operation: Minimum allowed retention period is 24 hours. Requested retention period (12 hours) is too short." \
    decrease-stream-retention-period --stream-name alleycat --retention-period-hours 12
aws kinesis decrease-stream-retention-period --stream-name alleycat --retention-period-hours 24

refused "an unknown stream" \
    "An error occurred (ResourceNotFoundException) when calling the DescribeStreamSummary operation: Stream nope under account 000000000000 not found: this service's stream is 'alleycat'" \
    describe-stream-summary --stream-name nope
refused "a sequence number with a leading zero" \
    "An error occurred (ValidationException) when calling the GetShardIterator operation: 1 validation error detected: Value '01' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})" \
    get-shard-iterator --stream-name alleycat --shard-id shardId-000000000000 --shard-iterator-type AT_SEQUENCE_NUMBER --starting-sequence-number 01
refused "start-stream-encryption is refused, not pretended" \
    "An error occurred (InvalidArgumentException) when calling the StartStreamEncryption operation: This service does not encrypt streams, so StartStreamEncryption is refused rather than pretended: the segment log is plain files under the data folder's stream/; encrypt the disk they are on" \
    start-stream-encryption --stream-name alleycat --encryption-type KMS --key-id alias/aws/kinesis
AWS_SECRET_ACCESS_KEY=not-the-secret refused "a wrong secret" \
    "An error occurred (InvalidSignatureException) when calling the PutRecord operation: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details." \
    put-record --stream-name alleycat --partition-key a --data forged
AWS_ACCESS_KEY_ID=ACNOTAKEY refused "an unknown access key id" \
    "An error occurred (UnrecognizedClientException) when calling the PutRecord operation: The API key in the request is not one this service knows: check it, or create one with 'alleycat keys create'" \
    put-record --stream-name alleycat --partition-key a --data forged
iterator=$(aws kinesis get-shard-iterator --stream-name alleycat --shard-id shardId-000000000000 \
    --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
check "the refused puts stored nothing: shard 0 holds its two records" '["aGVsbG8=","YWdhaW4="]' '[.Records[].Data]' get-records --shard-iterator "$iterator"

# Enhanced fan-out consumers (SubscribeToShard itself streams for 5 minutes: boto3 reads it
# in kinesis-compat.py and the tests).
created_at=$(aws kinesis register-stream-consumer --stream-arn "$arn" --consumer-name fanout --query Consumer.ConsumerARN --output text)
check "register-stream-consumer, describe-stream-consumer" '{"ConsumerName":"fanout","ConsumerARN":"'$created_at'","ConsumerStatus":"ACTIVE","StreamARN":"'$arn'"}' \
    '.ConsumerDescription | {ConsumerName, ConsumerARN, ConsumerStatus, StreamARN}' describe-stream-consumer --consumer-arn "$created_at"
refused "register-stream-consumer of a name taken" \
    "An error occurred (ResourceInUseException) when calling the RegisterStreamConsumer operation: Consumer fanout under stream alleycat under account 000000000000 already exists: DescribeStreamConsumer gives it" \
    register-stream-consumer --stream-arn "$arn" --consumer-name fanout
check "list-stream-consumers" '{"names":["fanout"],"count":1}' '{names: [.Consumers[].ConsumerName], count: (.Consumers | length)}' \
    list-stream-consumers --stream-arn "$arn"
aws kinesis deregister-stream-consumer --consumer-arn "$created_at"
check "deregister-stream-consumer" '[]' '.Consumers' list-stream-consumers --stream-arn "$arn"

# Resharding while a reader holds an iterator: shard 0 closes with its records readable to
# the end, which names the children; new records go to the children.
iterator=$(aws kinesis get-shard-iterator --stream-name alleycat --shard-id shardId-000000000000 \
    --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
check "update-shard-count 2 -> 4" '{"CurrentShardCount":2,"TargetShardCount":4,"StreamName":"alleycat"}' \
    '{CurrentShardCount, TargetShardCount, StreamName}' update-shard-count --stream-name alleycat --target-shard-count 4 --scaling-type UNIFORM_SCALING
check "list-shards: the parents closed, four open children, each with its parent" \
    '[["shardId-000000000000",null,"1000000000000000000000002"],["shardId-000000000001",null,"1000001000000000000000001"],["shardId-000000000002","shardId-000000000000",null],["shardId-000000000003","shardId-000000000000",null],["shardId-000000000004","shardId-000000000001",null],["shardId-000000000005","shardId-000000000001",null]]' \
    '[.Shards[] | [.ShardId, .ParentShardId, .SequenceNumberRange.EndingSequenceNumber]]' list-shards --stream-name alleycat
check "list-shards AT_LATEST: the four open ones" '["shardId-000000000002","shardId-000000000003","shardId-000000000004","shardId-000000000005"]' \
    '[.Shards[].ShardId]' list-shards --stream-name alleycat --shard-filter Type=AT_LATEST
check "get-records to the end of a closed shard: its records, ChildShards, no NextShardIterator" \
    '{"data":["aGVsbG8=","YWdhaW4="],"children":[["shardId-000000000002",["shardId-000000000000"]],["shardId-000000000003",["shardId-000000000000"]]],"next":null}' \
    '{data: [.Records[].Data], children: [.ChildShards[] | [.ShardId, .ParentShards]], next: .NextShardIterator}' get-records --shard-iterator "$iterator"
check "put-record after the reshard lands on a child" '{"ShardId":"shardId-000000000002","SequenceNumber":"1000002000000000000000001"}' \
    '{ShardId, SequenceNumber}' put-record --stream-name alleycat --partition-key a --data later
check "describe-stream-summary: 4 open shards" '4' '.StreamDescriptionSummary.OpenShardCount' describe-stream-summary --stream-name alleycat
refused "update-shard-count past twice the open shards" \
    "An error occurred (InvalidArgumentException) when calling the UpdateShardCount operation: UpdateShardCount to 9 shards for stream alleycat under account 000000000000 is more than twice its 4 open shards: scale up to at most 8 in one call" \
    update-shard-count --stream-name alleycat --target-shard-count 9 --scaling-type UNIFORM_SCALING
aws kinesis merge-shards --stream-name alleycat --shard-to-merge shardId-000000000002 --adjacent-shard-to-merge shardId-000000000003
aws kinesis split-shard --stream-name alleycat --shard-to-split shardId-000000000004 --new-starting-hash-key 200000000000000000000000000000000000000
check "merge-shards and split-shard: the open shards and their parents" \
    '[["shardId-000000000005","shardId-000000000001",null],["shardId-000000000006","shardId-000000000002","shardId-000000000003"],["shardId-000000000007","shardId-000000000004",null],["shardId-000000000008","shardId-000000000004",null]]' \
    '[.Shards[] | [.ShardId, .ParentShardId, .AdjacentParentShardId]]' list-shards --stream-name alleycat --shard-filter Type=AT_LATEST
refused "merge-shards of shards that do not touch" \
    "An error occurred (InvalidArgumentException) when calling the MergeShards operation: Shards shardId-000000000005 and shardId-000000000006 in stream alleycat are not an adjacent pair of shards eligible for merging: their hash key ranges (255211775190703847597530955573826158592...340282366920938463463374607431768211455 and 0...170141183460469231731687303715884105727) must touch" \
    merge-shards --stream-name alleycat --shard-to-merge shardId-000000000005 --adjacent-shard-to-merge shardId-000000000006
aws kinesis tag-resource --resource-arn "$arn" --tags env=test
check "tag-resource, list-tags-for-resource" '[{"Key":"env","Value":"test"},{"Key":"team","Value":"racing"}]' '.Tags' \
    list-tags-for-resource --resource-arn "$arn"
aws kinesis untag-resource --resource-arn "$arn" --tag-keys env
check "untag-resource" '[{"Key":"team","Value":"racing"}]' '.Tags' list-tags-for-resource --resource-arn "$arn"
aws kinesis update-stream-mode --stream-arn "$arn" --stream-mode-details StreamMode=ON_DEMAND
check "update-stream-mode to ON_DEMAND" '"ON_DEMAND"' '.StreamDescriptionSummary.StreamModeDetails.StreamMode' describe-stream-summary --stream-name alleycat
aws kinesis update-stream-mode --stream-arn "$arn" --stream-mode-details StreamMode=PROVISIONED

# Streams as resources: one made, written to, listed and deleted beside the pipeline's.
aws kinesis create-stream --stream-name laps --shard-count 2
check "create-stream: ACTIVE with its shards" '{"StreamStatus":"ACTIVE","OpenShardCount":2,"StreamMode":"PROVISIONED"}' \
    '.StreamDescriptionSummary | {StreamStatus, OpenShardCount, StreamMode: .StreamModeDetails.StreamMode}' describe-stream-summary --stream-name laps
check "list-streams: both" '["alleycat","laps"]' '.StreamNames' list-streams --no-paginate
check "put-record to the made stream" '{"ShardId":"shardId-000000000000","SequenceNumber":"1000000000000000000000001"}' \
    '{ShardId, SequenceNumber}' put-record --stream-name laps --partition-key a --data lap
refused "create-stream of a name taken" \
    "An error occurred (ResourceInUseException) when calling the CreateStream operation: Stream laps under account 000000000000 already exists." \
    create-stream --stream-name laps --shard-count 1
refused "delete-stream of the stream the pipeline reads" \
    "An error occurred (ResourceInUseException) when calling the DeleteStream operation: Stream alleycat under account 000000000000 is the one this service's pipeline reads (serve --stream): it cannot be deleted while the service runs" \
    delete-stream --stream-name alleycat
aws kinesis delete-stream --stream-name laps
check "delete-stream: gone" '["alleycat"]' '.StreamNames' list-streams --no-paginate

echo "kinesis-cli: $checks checks passed"
