#!/usr/bin/env bash
# Benchmarks, release build. Prints one JSON object per line per figure:
#   {"name": "...", "value": 1.23, "unit": "s", "detail": {...}}
# Usage: scripts/bench.sh [stream] [parse] [firehose] [pipeline]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

names=("$@")
if ((${#names[@]} == 0)); then names=(stream parse firehose pipeline); fi
runs=${BENCH_RUNS:-5}

swift build -c release --product alleycat >&2
swift build -c release --product alleycat-sim >&2
bin=$(swift build -c release --show-bin-path)
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"

# Median of the "field" of JSON lines on stdin, with every run's value in the detail.
median() {
    python3 -c '
import json, statistics, sys
name, field, unit, machine = sys.argv[1:5]
runs = [json.loads(line) for line in sys.stdin if line.startswith("{")]
values = [r[field] for r in runs]
print(json.dumps({"name": name, "value": round(statistics.median(values), 4), "unit": unit,
                  "detail": {"runs": [round(v, 4) for v in values], "machine": machine, **{k: v for k, v in runs[0].items() if k != field}}}))
' "$@"
}

for name in "${names[@]}"; do
    case "$name" in
    stream)
        # 1,000 riders, 300 s, one shard, virtual time: generate and put 300,000 messages.
        for _ in $(seq "$runs"); do
            "$bin/alleycat-sim" --racers 1000 --speed max --start 1700000000000 --json
        done | median sim-race-into-stream wallSeconds s "$machine"
        ;;
    parse)
        # The record parser, and the transform (parse, validate, add output), per message of a race.
        "$bin/alleycat" benchmark parse
        ;;
    firehose)
        # At the default level (1) and at gzip's usual level (6).
        "$bin/alleycat" benchmark firehose --gzip-level 1
        "$bin/alleycat" benchmark firehose --gzip-level 6
        ;;
    pipeline)
        # The whole pipeline for one 1,000-rider race, store writes included, into a fresh data directory each run
        # (delivered objects at the default gzip level 1).
        for _ in $(seq "$runs"); do
            data=$(mktemp -d)
            "$bin/alleycat" race --racers 1000 --start 1700000000000 --data "$data" --json
            rm -rf "$data"
        done | median pipeline-race wallSeconds s "$machine"
        ;;
    *)
        echo "unknown benchmark '$name': choose from stream, parse, firehose, pipeline" >&2
        exit 2
        ;;
    esac
done
