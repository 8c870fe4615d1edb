#!/usr/bin/env bash
# Network ingest on loopback, against `alleycat serve` with every stage running:
#  1. throughput: alleycat-sim --endpoint --speed max sends BENCH_RACERS riders for
#     BENCH_SECONDS race seconds as 500-record PutRecords over BENCH_CONNECTIONS
#     keep-alive connections; records accepted per second of wall time, and the
#     service's CPU over that time (a stream of BENCH_SHARDS shards at Kinesis's
#     1,000 records a second each). Run against the stream in memory and then the
#     durable stream (segment log, fsync before each answer), with their ratio, and
#     then in memory again with the CBOR protocol (--protocol cbor, as the Java SDK
#     sends), named network-ingest-cbor, beside the JSON figure of the same run;
#  2. the service's CPU share while it takes 1,000 riders in real time for
#     BENCH_LIVE_SECONDS (0 skips it).
# Prints one JSON line per figure. The client runs on the same 2 cores as the service.
# BENCH_BIN=DIR runs the alleycat and alleycat-sim already built in DIR (an older build,
# to compare in the same minutes: the machine's speed varies from day to day), and
# BENCH_MODES picks among "in-memory durable cbor" (the ratio needs the first two).
set -euo pipefail
cd "$(dirname "$0")/.."
racers=${BENCH_RACERS:-20000}
seconds=${BENCH_SECONDS:-30}
connections=${BENCH_CONNECTIONS:-4}
shards=${BENCH_SHARDS:-256}
live_seconds=${BENCH_LIVE_SECONDS:-60}
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
ticks=$(getconf CLK_TCK)

source scripts/serve-lib.sh
release_binaries
modes=${BENCH_MODES:-in-memory durable cbor}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

cpu_seconds() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$1/stat"; }
# The service's peak resident memory so far (VmHWM), the whole process.
peak_rss_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }


# 1. Throughput, in memory and durable (JSON), and in memory in CBOR.
for mode in $modes; do
    data="$work/throughput-$mode"
    key=$(new_key "$data" bench)
    if [[ "$mode" == durable ]]; then start_serve "$data" --shards "$shards"; else start_serve "$data" --shards "$shards" --in-memory; fi
    cpu_before=$(cpu_seconds "$pid")
    "$bin/alleycat-sim" --endpoint "http://127.0.0.1:$port" --api-key "$key" --racers "$racers" --seconds "$seconds" \
        --speed max --connections "$connections" --start 1764000000000 $([[ $mode == cbor ]] && echo --protocol cbor) \
        --json >"$work/throughput-$mode.json"
    cpu_after=$(cpu_seconds "$pid")
    peak_kb=$(peak_rss_kb "$pid")
    kill -INT "$pid"
    wait "$pid" || true
    log_mb=$(du -sm "$data/stream" 2>/dev/null | cut -f1 || echo 0)
    python3 - "$work/throughput-$mode.json" "$cpu_before" "$cpu_after" "$machine" "$shards" "$connections" "$mode" "${log_mb:-0}" "$peak_kb" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
cpu = float(sys.argv[3]) - float(sys.argv[2])
name = {"in-memory": "network-ingest", "durable": "network-ingest-durable", "cbor": "network-ingest-cbor"}[sys.argv[7]]
print(json.dumps({"name": name, "value": s["messagesPerSecond"], "unit": "records/s",
                  "detail": {"accepted": s["accepted"], "lost": s["lost"], "refusedAndRetried": s["refusedAndRetried"],
                             "callsRetried": s["callsRetried"], "wallSeconds": round(s["wallSeconds"], 3),
                             "putLatencyP50Micros": s["putLatencyP50Micros"], "putLatencyP99Micros": s["putLatencyP99Micros"],
                             "serviceCpuSeconds": round(cpu, 2), "serviceCpuShare": round(cpu / s["wallSeconds"], 2),
                             "streamLogMB": int(sys.argv[8]), "servicePeakRssMB": round(int(sys.argv[9]) / 1024),
                             "shards": int(sys.argv[5]), "connections": int(sys.argv[6]),
                             "machine": sys.argv[4]}}))
PY
done
[[ -f "$work/throughput-in-memory.json" && -f "$work/throughput-durable.json" ]] && python3 - "$work/throughput-in-memory.json" "$work/throughput-durable.json" <<'PY'
import json, sys
memory, durable = (json.load(open(p))["messagesPerSecond"] for p in sys.argv[1:3])
print(json.dumps({"name": "durable-over-in-memory", "value": round(durable / memory, 2), "unit": "ratio",
                  "detail": {"inMemory": memory, "durable": durable, "target": ">= 0.5"}}))
PY

# 2. CPU share under the 1,000-rider real-time load.
if ((live_seconds > 0)); then
    data="$work/realtime"
    key=$(new_key "$data" bench)
    start_serve "$data"
    cpu_before=$(cpu_seconds "$pid")
    "$bin/alleycat-sim" --endpoint "http://127.0.0.1:$port" --api-key "$key" --racers 1000 --seconds "$live_seconds" \
        --speed realtime --json >"$work/realtime.json"
    cpu_after=$(cpu_seconds "$pid")
    peak_kb=$(peak_rss_kb "$pid")
    kill -INT "$pid"
    wait "$pid" || true
    python3 - "$work/realtime.json" "$cpu_before" "$cpu_after" "$machine" "$peak_kb" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
cpu = float(sys.argv[3]) - float(sys.argv[2])
print(json.dumps({"name": "serve-cpu-1000-realtime", "value": round(100 * cpu / s["wallSeconds"], 2), "unit": "% of one core",
                  "detail": {"accepted": s["accepted"], "lost": s["lost"], "wallSeconds": round(s["wallSeconds"], 1),
                             "serviceCpuSeconds": round(cpu, 2), "putLatencyP50Micros": s["putLatencyP50Micros"],
                             "putLatencyP99Micros": s["putLatencyP99Micros"], "servicePeakRssMB": round(int(sys.argv[5]) / 1024),
                             "machine": sys.argv[4]}}))
PY
fi
