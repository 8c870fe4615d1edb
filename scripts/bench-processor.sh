#!/usr/bin/env bash
# Records per second through the firehose's processor, release build: the built-in one,
# and the original transform as an unchanged Lambda handler under node and python3
# (--processor-lambda), in the same run, alternating, median of BENCH_RUNS (default 3).
# Each run is `alleycat race --racers RACERS --seed 7` (RACERS default 1000) into a fresh
# data folder; the rate is delivered records over the race's in-process wall time. Peak
# RSS is alleycat's VmHWM and, for a handler, its own process's, which the handler records.
# Prints one JSON object per line, as scripts/bench.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."

racers=${RACERS:-1000}
runs=${BENCH_RUNS:-3}
swift build -c release --product alleycat >&2
bin=$(swift build -c release --show-bin-path)
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The original transform, plus one line that records the handler process's peak RSS (KiB).
cat >"$work/transform.js" <<'EOF'
const fs = require('fs');
exports.handler = async (event, context) => {
  const records = event.records.map((record) => {
    const payload = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'));
    payload.output = (payload.cadence + 35) * (payload.resistance + 65) / 100;
    return { recordId: record.recordId, result: 'Ok', data: Buffer.from(JSON.stringify(payload) + '\n').toString('base64') };
  });
  fs.writeFileSync(process.env.BENCH_HANDLER_RSS, fs.readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1]);
  return { records };
};
EOF
cat >"$work/transform.py" <<'EOF'
import base64, json, os, re

def handler(event, context):
    records = []
    for record in event["records"]:
        payload = json.loads(base64.b64decode(record["data"]))
        payload["output"] = (payload["cadence"] + 35) * (payload["resistance"] + 65) / 100
        data = base64.b64encode((json.dumps(payload) + "\n").encode()).decode()
        records.append({"recordId": record["recordId"], "result": "Ok", "data": data})
    with open("/proc/self/status") as status, open(os.environ["BENCH_HANDLER_RSS"], "w") as f:
        f.write(re.search(r"VmHWM:\s+(\d+)", status.read()).group(1))
    return {"records": records}
EOF

# One race: prints {"processor", "wallSeconds", "delivered", "failed", "processWallSeconds", "peakRssKiB", "handlerPeakRssKiB"}.
# alleycat's VmHWM is sampled every 20 ms while it runs (/usr/bin/time's %M would be the
# larger of alleycat and the handler's process, which alleycat reaps at its end).
race() {
    local name=$1
    shift
    local data="$work/data-$name"
    rm -rf "$data" "$work/handler-rss"
    local started peak=0 hwm
    started=$(date +%s.%N)
    BENCH_HANDLER_RSS="$work/handler-rss" \
        "$bin/alleycat" race --racers "$racers" --seed 7 --start 1700000000000 --data "$data" --json "$@" >"$work/figures" &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        if [[ -n $hwm ]]; then peak=$hwm; fi
        sleep 0.02
    done
    wait "$pid"
    python3 -c '
import json, sys, time
name, figures, started, peak, rss = sys.argv[1:6]
run = json.load(open(figures))
try:
    handler = int(open(rss).read())
except FileNotFoundError:
    handler = None
print(json.dumps({"processor": name, "wallSeconds": run["wallSeconds"], "delivered": run["delivered"], "failed": run["failed"],
                  "processWallSeconds": time.time() - float(started), "peakRssKiB": int(peak), "handlerPeakRssKiB": handler}))
' "$name" "$work/figures" "$started" "$peak" "$work/handler-rss"
}

for _ in $(seq "$runs"); do
    race builtin
    race node --processor-lambda "$work/transform.js"
    race python --processor-lambda "$work/transform.py"
done >"$work/runs"

python3 -c '
import json, statistics, sys
runs_file, racers, machine = sys.argv[1:4]
runs = [json.loads(line) for line in open(runs_file)]
def figures(name):
    mine = [r for r in runs if r["processor"] == name]
    rates = [r["delivered"] / r["wallSeconds"] for r in mine]
    detail = {"runs": [round(rate) for rate in rates], "racers": int(racers), "delivered": mine[0]["delivered"],
              "failed": max(r["failed"] for r in mine),
              "wallSeconds": round(statistics.median(r["wallSeconds"] for r in mine), 3),
              "processWallSeconds": round(statistics.median(r["processWallSeconds"] for r in mine), 3),
              "alleycatPeakRssMB": round(max(r["peakRssKiB"] for r in mine) * 1024 / 1e6, 1)}
    if mine[0]["handlerPeakRssKiB"] is not None:
        detail["handlerPeakRssMB"] = round(max(r["handlerPeakRssKiB"] for r in mine) * 1024 / 1e6, 1)
    return statistics.median(rates), detail
builtin, _ = figures("builtin")
for name, label in [("builtin", "processor-builtin"), ("node", "processor-lambda-node"), ("python", "processor-lambda-python")]:
    rate, detail = figures(name)
    if name != "builtin":
        detail["ofBuiltin"] = round(rate / builtin, 3)
    detail["machine"] = machine
    print(json.dumps({"name": label, "value": round(rate), "unit": "records/s", "detail": detail}))
' "$work/runs" "$racers" "$machine"
