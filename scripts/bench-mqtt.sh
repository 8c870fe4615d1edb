#!/usr/bin/env bash
# Bikes over MQTT (issue 16): a Mosquitto broker, `alleycat serve --mqtt` (durable, QoS 1:
# each message acknowledged to the broker only once the stream has it) and
# `alleycat-sim --mqtt`, for each rider count:
#   mqtt-ingest          messages per second through Mosquitto into the stream: a seeded
#                        race published as fast as the broker acknowledges (--speed max,
#                        QoS 1, 100 connections), from the first publish to the service's
#                        last acceptance, on shards that take far more than that (so the
#                        figure is MQTT's path, not Kinesis's 1,000 records/s per shard);
#   mqtt-results-latency p50/p99 from a bike's publish to the ranking that includes it
#                        arriving on alleycat-subscribe, in real time: one connection per
#                        bike with bikes unsynchronised (--pacing spread) and all in step
#                        (burst), and the bikes spread over a pool of POOL connections; the
#                        stream has twice the shards the riders need (each shard half full:
#                        with arrival-time keys a full shard refuses a burst's overflow).
# Prints one JSON line per figure, with the whole-process peak RSS of the service and the
# broker beside.
# Usage: scripts/bench-mqtt.sh [RACERS...]   (default: 1000 10000)
#   INGEST_MESSAGES (300000) messages of the ingest run (its race lasts INGEST_MESSAGES / RACERS
#   seconds, so the simulator's start is a small part of it); LATENCY_SECONDS (60) of each latency run
#   POOL (100) connections of the pooled latency run; CONFIG (release)  SERVE_OPTIONS (more options of alleycat serve, e.g. --in-memory)
set -euo pipefail
cd "$(dirname "$0")/.."
ingest_messages=${INGEST_MESSAGES:-300000}
latency_seconds=${LATENCY_SECONDS:-60}
config=${CONFIG:-release}
pool=${POOL:-100}
counts=("$@")
if ((${#counts[@]} == 0)); then counts=(1000 10000); fi

swift build -c "$config" --product alleycat >&2
swift build -c "$config" --product alleycat-sim >&2
bin=$(swift build -c "$config" --show-bin-path)
work=$(mktemp -d)
trap 'kill $(jobs -p) ${mqtt_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT
source scripts/serve-lib.sh

peak_mb() { sed -n 's/^VmHWM:\s*\([0-9]*\) kB/\1/p' "/proc/$1/status" | awk '{print int($1 / 1024)}'; }

# run NAME RACERS SECONDS SPEED CONNECTIONS PACING SERVE-OPTIONS...: one race through a new
# broker and service; leaves the simulator's JSON summary in $work/NAME.json and sets
# $elapsed (first publish to the last message the service accepted), $taken (messages the
# service accepted), $serve_mb and $broker_mb.
run() {
    local name=$1 racers=$2 seconds=$3 speed=$4 connections=$5 pacing=$6
    shift 6
    start_mosquitto "$work/$name-broker"
    # shellcheck disable=SC2086
    start_serve "$work/$name" --mqtt "$mqtt_url" "$@" ${SERVE_OPTIONS:-}
    wait_mqtt_connected "$work/$name.log"
    local begin
    begin=$(date +%s.%N)
    "$bin/alleycat-sim" --mqtt "$mqtt_url" --mqtt-qos 1 --connections "$connections" --racers "$racers" --seconds "$seconds" \
        --speed "$speed" --pacing "$pacing" --json >"$work/$name.json"
    wait_mqtt_drained "$port"
    elapsed=$(python3 -c "print($mqtt_last_change - $begin)")
    taken=$mqtt_accepted
    serve_mb=$(peak_mb "$pid")
    broker_mb=$(peak_mb "$mqtt_pid")
    kill -INT "$pid"
    wait "$pid" || true
    kill "$mqtt_pid"
}

for racers in "${counts[@]}"; do
    ingest_seconds=$((ingest_messages / racers > 0 ? ingest_messages / racers : 1))
    echo "mqtt-ingest: $racers riders, $ingest_seconds race seconds at full speed" >&2
    run "ingest-$racers" "$racers" "$ingest_seconds" max 100 burst --shards 4 --records-per-shard-second 1000000
    python3 - "$work/ingest-$racers.json" "$elapsed" "$taken" "$serve_mb" "$broker_mb" "$racers" <<'PY'
import json, sys
sim = json.load(open(sys.argv[1]))
elapsed, taken, serve_mb, broker_mb, racers = float(sys.argv[2]), int(float(sys.argv[3])), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(json.dumps({"name": "mqtt-ingest", "value": round(taken / elapsed), "unit": "msg/s",
                  "detail": {"racers": racers, "published": sim["accepted"], "publishedPerSecond": sim["messagesPerSecond"],
                             "acceptedByTheStream": taken, "seconds": round(elapsed, 3), "lost": sim["lost"],
                             "servePeakRSSMB": serve_mb, "brokerPeakRSSMB": broker_mb}}))
PY
    for variant in "$racers spread" "$racers burst" "$pool spread"; do
        read -r connections pacing <<<"$variant"
        echo "mqtt-results-latency: $racers riders, $latency_seconds race seconds in real time, $connections connection(s), pacing $pacing" >&2
        run "latency-$racers-$connections-$pacing" "$racers" "$latency_seconds" realtime "$connections" "$pacing" --shards $((2 * ((racers + 999) / 1000)))
        python3 - "$work/latency-$racers-$connections-$pacing.json" "$serve_mb" "$broker_mb" "$racers" "$pacing" "$connections" <<'PY'
import json, sys
sim = json.load(open(sys.argv[1]))
serve_mb, broker_mb, racers, pacing, connections = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
print(json.dumps({"name": "mqtt-results-latency", "value": sim["resultsP99Millis"], "unit": "ms p99",
                  "detail": {"racers": racers, "connections": connections, "pacing": pacing, "p50Millis": sim["resultsP50Millis"],
                             "p99Millis": sim["resultsP99Millis"], "maxMillis": sim["resultsMaxMillis"], "timed": sim["resultsTimed"],
                             "untimed": sim["resultsUntimed"], "envelopes": sim["resultsEnvelopes"], "lost": sim["lost"],
                             "servePeakRSSMB": serve_mb, "brokerPeakRSSMB": broker_mb}}))
PY
    done
done
