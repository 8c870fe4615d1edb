#!/usr/bin/env bash
# Live ranking delay under load: `alleycat serve` races N simulated riders in real time
# and reports, from a record accepted by the stream to the ranking that first
# includes it being published, p50/p99/max per update, plus the process's peak memory.
# Usage: scripts/bench-live.sh [RACERS...]   (default 1000 10000 100000)
# BENCH_SECONDS (default 30) sets the race length of each run; BENCH_PACING (default
# "spread burst") the simulator's pacing: spread sends batch i of n at i/n of each
# second, as unsynchronised bikes do; burst sends a whole second at its start (every
# bike in step, the worst case for the ranking engine).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
if ((${#sizes[@]} == 0)); then sizes=(1000 10000 100000); fi
seconds=${BENCH_SECONDS:-30}
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"

swift build -c release --product alleycat >&2
bin=$(swift build -c release --show-bin-path)
for pacing in ${BENCH_PACING:-spread burst}; do
    for racers in "${sizes[@]}"; do
        data=$(mktemp -d)
        shards=$(( (racers + 999) / 1000 ))
        "$bin/alleycat" serve --port 0 --data "$data" --shards "$shards" --simulate-racers "$racers" --simulate-pacing "$pacing" \
            --simulate-seconds "$seconds" --exit-after-simulation 2>/dev/null | grep '^{' | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print(json.dumps({"name": "live-ranking-delay-" + str(r["racers"]) + "-" + r["pacing"], "value": r["publishDelayP99Millis"], "unit": "ms",
                  "detail": {**r, "shards": int(sys.argv[1]), "machine": sys.argv[2]}}))
' "$shards" "$machine"
        rm -rf "$data"
    done
done
