#!/usr/bin/env bash
# Memory under steady load, measured on whole processes as a user runs them (release build).
# Prints one JSON line per figure:
#   serve-rss-growth: `alleycat serve` racing 1,000 simulated riders at --speed 20 for
#     MEMORY_RACES (default 20) races: resident memory after the last race minus after race 2.
#   stream-read-trim-horizon: a new consumer of that service's stream log reads every
#     record back from TRIM_HORIZON (from the files), MB/s.
#   race-10000-riders: `alleycat race --racers 10000 --shards 10 --races 2`, process wall
#     time and peak RSS.
#   race-1000-riders: `alleycat race --racers 1000 --class 1 --seed 7`, process wall (median of 5).
# Usage: scripts/bench-memory.sh [serve] [race] [small]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
names=("$@")
if ((${#names[@]} == 0)); then names=(serve race small); fi
races=${MEMORY_RACES:-20}
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
swift build -c release --product alleycat >&2
bin=$(swift build -c release --show-bin-path)

rss_mb() { awk '/VmRSS:/ {print int($2 / 1024)}' "/proc/$1/status" 2>/dev/null || echo 0; }

for name in "${names[@]}"; do
    case "$name" in
    serve)
        data=$(mktemp -d)
        samples=$data.rss
        "$bin/alleycat" serve --port 0 --data "$data" --simulate-racers 1000 --simulate-races "$races" --speed 20 \
            --exit-after-simulation >"$data.log" 2>&1 &
        pid=$!
        # One race is 300 s of race time, 15 s of wall time at --speed 20: sample once a second.
        start=$(date +%s.%N)
        : >"$samples"
        while kill -0 "$pid" 2>/dev/null; do
            echo "$(python3 -c "import time; print(round(time.time() - $start, 1))") $(rss_mb "$pid")" >>"$samples"
            sleep 1
        done
        wait "$pid"
        python3 - "$samples" "$data.log" "$races" "$machine" <<'PY'
import json, sys
samples = [tuple(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
log = open(sys.argv[2]).read()
races, machine = int(sys.argv[3]), sys.argv[4]
report = json.loads([line for line in log.splitlines() if line.startswith("{")][-1])
race_seconds = 300 / 20
def rss_at(t):
    # The last sample at or before t (samples with RSS 0 are the process ending).
    before = [rss for when, rss in samples if when <= t and rss > 0]
    return int(before[-1]) if before else 0
after2 = rss_at(2 * race_seconds)
after_last = rss_at(races * race_seconds)
print(json.dumps({"name": "serve-rss-growth", "value": after_last - after2, "unit": "MB",
                  "detail": {"racers": 1000, "races": races, "speed": 20, "rssAfterRace2MB": after2,
                             "rssAfterLastRaceMB": after_last, "peakRSSMB": report["peakMemoryMB"],
                             "accepted": report["accepted"], "lost": report["lost"], "machine": machine,
                             "measured": "VmRSS of the alleycat serve process, sampled once a second"}}))
PY
        /usr/bin/time -f '%M' -o "$data.time" "$bin/alleycat" benchmark read --data "$data" >"$data.read"
        python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())
r["detail"]["processPeakRSSMB"] = int(open(sys.argv[2]).read().split()[-1]) // 1024
r["detail"]["machine"] = sys.argv[3]
r["detail"]["logMB"] = int(sys.argv[4])
print(json.dumps(r))' "$data.read" "$data.time" "$machine" "$(du -sm "$data/stream" | cut -f1)"
        rm -rf "$data" "$data".*
        ;;
    race)
        data=$(mktemp -d)
        /usr/bin/time -f '%e %M' -o "$data.time" "$bin/alleycat" race --racers 10000 --shards 10 --races 2 --data "$data" --json >"$data.json"
        python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())
wall, kb = open(sys.argv[2]).read().split()[-2:]
print(json.dumps({"name": "race-10000-riders", "value": float(wall), "unit": "s",
                  "detail": {"records": r["messages"], "recordsPerSecond": int(r["messages"] / float(wall)), "peakRSSMB": int(kb) // 1024,
                             "lost": r["lost"], "merged": r["merged"], "machine": sys.argv[3], "measured": "the whole process, /usr/bin/time"}}))' \
            "$data.json" "$data.time" "$machine"
        rm -rf "$data" "$data".*
        ;;
    small)
        for _ in 1 2 3 4 5; do
            data=$(mktemp -d)
            /usr/bin/time -f '%e %M' -o "$data.time" "$bin/alleycat" race --racers 1000 --class 1 --seed 7 --data "$data" >/dev/null 2>&1
            cat "$data.time"
            rm -rf "$data" "$data".*
        done | python3 -c '
import json, statistics, sys
runs = [line.split() for line in sys.stdin if line.strip()]
walls = [float(w) for w, _ in runs]
print(json.dumps({"name": "race-1000-riders", "value": statistics.median(walls), "unit": "s",
                  "detail": {"runs": walls, "peakRSSMB": max(int(kb) for _, kb in runs) // 1024, "machine": sys.argv[1],
                             "measured": "process wall of alleycat race --racers 1000 --class 1 --seed 7, /usr/bin/time"}}))' "$machine"
        ;;
    *)
        echo "unknown figure '$name': choose from serve, race, small" >&2
        exit 2
        ;;
    esac
done
