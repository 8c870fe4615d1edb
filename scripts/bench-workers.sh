#!/usr/bin/env bash
# Workers sharing a stream: records per second through 1, 2 and 3 workers
# (`alleycat serve --source URL --lease-table NAME`) that read an `alleycat serve` node's
# stream, and the workers' CPU per record. moto is too slow to read a stream from; here
# its DynamoDB only holds the leases. For each N in BENCH_WORKERS ("1 2 3"): a fresh node
# (BENCH_SHARDS shards, in memory, no per-shard write limit to speak of), a fresh lease
# table, N workers started and waited for until the leases are spread evenly; then
# alleycat-sim puts BENCH_RACERS riders × BENCH_SECONDS s at full speed, timed from its
# start until the workers' firehoses have read every record (alleycat_records_in_total).
# Prints one JSON line per N. Everything runs on the same cores: node, simulator, moto and
# the workers, so the figure is what one machine gives, not what N machines would.
set -euo pipefail
cd "$(dirname "$0")/.."
racers=${BENCH_RACERS:-10000}
seconds=${BENCH_SECONDS:-30}
shards=${BENCH_SHARDS:-8}
counts=${BENCH_WORKERS:-1 2 3}
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
ticks=$(getconf CLK_TCK)
source scripts/serve-lib.sh
release_binaries
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_seconds() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$1/stat"; }
metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n {print $2}'; }
now() { date +%s.%N; }

moto_port=$(free_port)
moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$moto_port/" >/dev/null && break; sleep 0.1; done
total=$((racers * seconds))

for n in $counts; do
    run=$work/run-$n
    mkdir -p "$run"
    created=$("$bin/alleycat" keys create --name bench --rate 1000000 --burst 1000000 --data "$run/node" --json)
    start_serve "$run/node" --in-memory --shards "$shards" --records-per-shard-second 1000000
    node_pid=$pid node_port=$port
    pids+=("$node_pid")
    export AWS_ACCESS_KEY_ID=$(jq -r .key <<<"$created") AWS_SECRET_ACCESS_KEY=$(jq -r .secretAccessKey <<<"$created")
    export AWS_REGION=us-east-1 AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$moto_port ALLEYCAT_API_KEY=
    worker_pids=() worker_ports=()
    for i in $(seq 1 "$n"); do
        start_serve "$run/worker-$i" --source "http://127.0.0.1:$node_port" --lease-table "bench-$n" --worker-id "worker-$i"
        worker_pids+=("$pid") worker_ports+=("$port")
        pids+=("$pid")
    done
    # Wait until every worker holds its even share and has renewed since (no steals left).
    python3 - "$moto_port" "bench-$n" "$n" "$shards" <<'PY'
import boto3, sys, time
port, table, n, shards = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
db = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                  aws_access_key_id="a", aws_secret_access_key="b")
def leases():
    return db.scan(TableName=table, ConsistentRead=True)["Items"]
want = sorted([shards // n + (1 if i < shards % n else 0) for i in range(n)])
deadline = time.time() + 300
while True:
    items = leases()
    owners = {}
    for item in items:
        owner = item.get("leaseOwner", {}).get("S", "-")
        owners[owner] = owners.get(owner, 0) + 1
    if len(items) == shards and "-" not in owners and sorted(owners.values()) == want:
        break
    if time.time() > deadline:
        sys.exit(f"leases not balanced after 300 s: {owners}")
    time.sleep(0.2)
counters = {i["leaseKey"]["S"]: int(i["leaseCounter"]["N"]) for i in leases()}
while not all(int(i["leaseCounter"]["N"]) > counters[i["leaseKey"]["S"]] for i in leases()):
    time.sleep(0.2)
PY
    before=0
    for p in "${worker_pids[@]}"; do before=$(awk -v a="$before" -v b="$(cpu_seconds "$p")" 'BEGIN {print a + b}'); done
    start=$(now)
    "$bin/alleycat-sim" --racers "$racers" --seconds "$seconds" --seed 1 --endpoint "http://127.0.0.1:$node_port" \
        --api-key "$AWS_ACCESS_KEY_ID" --speed max --json >"$run/sim.json"
    put=$(now)
    while true; do
        sum=0
        for p in "${worker_ports[@]}"; do
            value=$(metric "$p" alleycat_records_in_total | cut -d. -f1)
            sum=$((sum + ${value:-0}))
        done
        ((sum >= total)) && break
        sleep 0.05
    done
    end=$(now)
    after=0
    for p in "${worker_pids[@]}"; do after=$(awk -v a="$after" -v b="$(cpu_seconds "$p")" 'BEGIN {print a + b}'); done
    peak=0
    for p in "${worker_pids[@]}"; do
        rss=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$p/status")
        ((rss > peak)) && peak=$rss
    done
    python3 - <<PY
import json
total, start, put, end = $total, $start, $put, $end
cpu = $after - $before
print(json.dumps({"name": "workers-$n", "value": round(total / (end - start)), "unit": "records/s",
    "detail": {"workers": $n, "records": total, "shards": $shards, "putSeconds": round(put - start, 3),
               "readAllSeconds": round(end - start, 3), "workersCpuSeconds": round(cpu, 2),
               "workersCpuMicrosPerRecord": round(cpu / total * 1e6, 2), "workerPeakRssMB": $peak, "machine": "$machine"}}))
PY
    kill "${worker_pids[@]}" "$node_pid" 2>/dev/null || true
    wait "${worker_pids[@]}" "$node_pid" 2>/dev/null || true
done
