#!/usr/bin/env bash
# Crash harness: a seeded race sent by `alleycat-sim --endpoint` to a durable
# `alleycat serve` (TRANSPORT=mqtt: by `alleycat-sim --mqtt` at QoS 1 through a Mosquitto
# broker that `alleycat serve --mqtt` reads), which is killed with SIGKILL at random
# moments and restarted each time; once the race is over the service is stopped cleanly (delivering what it
# buffers) and its history files, leaderboards, races and results are compared with
# the same seeded race run in process without faults.
# Prints the kills, records acknowledged, records in the outputs and every difference;
# exits 1 on any difference or lost message.
#   RACERS (100)  RACE_SECONDS (60)  KILLS (5)  SEED (1: the riders)
#   HARNESS_SEED (random: the kill times; printed)  SPEED (realtime or a factor)
#   CONFIG (release; CI uses debug, which `swift test` has built)  TRANSPORT (http or mqtt)
set -euo pipefail
cd "$(dirname "$0")/.."
racers=${RACERS:-100}
race_seconds=${RACE_SECONDS:-60}
kills=${KILLS:-5}
seed=${SEED:-1}
speed=${SPEED:-realtime}
config=${CONFIG:-release}
transport=${TRANSPORT:-http}
harness_seed=${HARNESS_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$harness_seed

swift build -c "$config" --product alleycat >&2
swift build -c "$config" --product alleycat-sim >&2
bin=$(swift build -c "$config" --show-bin-path)
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) ${mqtt_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT
shards=$(( (racers + 999) / 1000 ))
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start=$(( ($(date +%s) + 3) * 1000 ))
data="$work/faulty"

source scripts/serve-lib.sh
serve_pid=""
serve_options=()
if [[ $transport == mqtt ]]; then
    start_mosquitto "$work/broker"
    serve_options=(--mqtt "$mqtt_url" --mqtt-qos 1)
    sim_target=(--mqtt "$mqtt_url" --mqtt-qos 1 --connections "$racers")
fi
# Starts the service on the same port each time (the simulator keeps its endpoint).
serve_on_port() {
    "$bin/alleycat" serve --port "$port" --data "$data" --shards "$shards" "${serve_options[@]}" >>"$work/serve.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 1 600); do
        if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then return 0; fi
        sleep 0.05
    done
    echo "alleycat serve did not come back:" >&2
    tail -20 "$work/serve.log" >&2
    exit 1
}

echo "crash harness: $racers riders, $race_seconds s, seed $seed, $kills kills, harness seed $harness_seed, speed $speed, $config build, over $transport"
if [[ $transport == http ]]; then
    key=$(new_key "$data" harness)
    sim_target=(--endpoint "http://127.0.0.1:$port" --api-key "$key")
fi
serve_on_port
if [[ $transport == mqtt ]]; then
    # The service's persistent session exists before the first message, so the broker keeps them all.
    wait_mqtt_connected "$work/serve.log"
fi
"$bin/alleycat-sim" "${sim_target[@]}" --racers "$racers" --seconds "$race_seconds" \
    --seed "$seed" --start "$start" --speed "$speed" --json >"$work/sim.json" 2>"$work/sim.err" &
sim_pid=$!

# Kill times spread over the race: each after a random pause of 20 % to 180 % of an even share.
factor=$([[ "$speed" == realtime ]] && echo 1 || echo "$speed")
share_ms=$(python3 -c "print(int($race_seconds * 1000 / $factor / ($kills + 1)))")
done_kills=0
for _ in $(seq 1 "$kills"); do
    pause_ms=$(( share_ms / 5 + (RANDOM * 32768 + RANDOM) % (share_ms * 8 / 5 + 1) ))
    sleep "$(python3 -c "print($pause_ms / 1000)")"
    kill -0 "$sim_pid" 2>/dev/null || break
    kill -9 "$serve_pid"
    wait "$serve_pid" 2>/dev/null || true
    done_kills=$((done_kills + 1))
    echo "kill $done_kills after ${pause_ms} ms; restarting"
    serve_on_port
done
wait "$sim_pid" || true
if [[ $transport == mqtt ]]; then wait_mqtt_drained "$port"; fi
kill -INT "$serve_pid"
wait "$serve_pid" || true
grep -h "cut .* byte" "$work/serve.log" || true

"$bin/alleycat" race --racers "$racers" --seconds "$race_seconds" --seed "$seed" --start "$start" --shards "$shards" \
    --data "$work/clean" --json >/dev/null

python3 - "$work" "$bin/alleycat" "$done_kills" "$racers" "$race_seconds" <<'PY'
import glob, gzip, json, subprocess, sys
work, alleycat, kills, racers, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sim = json.load(open(f"{work}/sim.json"))
lines, unique = 0, set()
for path in glob.glob(f"{work}/faulty/delivery/**/*.gz", recursive=True):
    if "/processing-failed/" in path:
        continue
    for line in gzip.open(path, "rt"):
        record = json.loads(line)
        lines += 1
        unique.add((record["raceId"], record["racerId"], record["second"]))

def query(*args, data):
    return subprocess.run([alleycat, *args, "--data", f"{work}/{data}", "--json"], capture_output=True, text=True).stdout

differences = []
for c in range(1, 7):
    a = gzip.open(f"{work}/faulty/history/class-{c}.gz").read() if glob.glob(f"{work}/faulty/history/class-{c}.gz") else b""
    b = gzip.open(f"{work}/clean/history/class-{c}.gz").read() if glob.glob(f"{work}/clean/history/class-{c}.gz") else b""
    if a != b:
        differences.append(f"history class-{c}.gz")
    for by in ("total", "best", "final"):
        args = ("leaderboard", "--class", str(c), "--by", by, "--limit", "100000")
        if query(*args, data="faulty") != query(*args, data="clean"):
            differences.append(f"leaderboard class {c} by {by}")
    races = ("races", "--class", str(c))
    if query(*races, data="faulty") != query(*races, data="clean"):
        differences.append(f"races of class {c}")
for race in sorted({r for r, _, _ in unique}):
    args = ("results", "--race", str(race))
    if query(*args, data="faulty") != query(*args, data="clean"):
        differences.append(f"results of race {race}")

print(f"kills: {kills}")
print(f"records acknowledged: {sim['accepted']} of {sim['generated']} ({sim['lost']} lost, {sim['callsRetried']} calls retried)")
print(f"records in the outputs: {len(unique)} distinct (racer, second) of {racers * seconds} sent; {lines} delivered lines (redeliveries after a kill included)")
print("differences: " + (", ".join(differences) if differences else "none"))
print(json.dumps({"name": "crash-harness", "value": len(differences), "unit": "differences",
                  "detail": {"kills": kills, "acknowledged": sim["accepted"], "generated": sim["generated"], "lost": sim["lost"],
                             "distinctInOutputs": len(unique), "deliveredLines": lines, "racers": racers, "seconds": seconds}}))
sys.exit(1 if differences or sim["lost"] or len(unique) != racers * seconds else 0)
PY
