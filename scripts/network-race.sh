#!/usr/bin/env bash
# The load run of issue 6: a seeded race sent over the network by
# `alleycat-sim --endpoint` to `alleycat serve` in real-time pacing (TRANSPORT=mqtt, issue
# 16: by `alleycat-sim --mqtt` through a Mosquitto broker that `alleycat serve --mqtt`
# reads, one connection per bike, QoS 1), then the same
# seeded race run in process by `alleycat race`; compares the history files
# (gunzipped) and every class's leaderboards. Prints the simulator's summary, the
# comparison, and exits 1 on any difference or lost message.
# RACERS (default 1000), RACE_SECONDS (default 300), SEED (default 1), SPEED (default realtime),
# TRANSPORT (http or mqtt), CONFIG (release; CI uses debug, which `swift test` has built).
set -euo pipefail
cd "$(dirname "$0")/.."
racers=${RACERS:-1000}
race_seconds=${RACE_SECONDS:-300}
seed=${SEED:-1}
speed=${SPEED:-realtime}
transport=${TRANSPORT:-http}
config=${CONFIG:-release}

swift build -c "$config" --product alleycat >&2
swift build -c "$config" --product alleycat-sim >&2
bin=$(swift build -c "$config" --show-bin-path)
work=$(mktemp -d)
trap 'kill $(jobs -p) ${mqtt_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT
shards=$(( (racers + 999) / 1000 ))
# Both runs start their race at the same instant (the next whole second but two).
start=$(( ($(date +%s) + 3) * 1000 ))

source scripts/serve-lib.sh
if [[ $transport == mqtt ]]; then
    start_mosquitto "$work/broker"
    start_serve "$work/network" --shards "$shards" --mqtt "$mqtt_url"
    wait_mqtt_connected "$work/network.log"
    echo "network: $racers riders, $race_seconds s, seed $seed, speed $speed -> $mqtt_url (one connection per bike, QoS 1) -> alleycat serve ($shards shard(s))"
    target=(--mqtt "$mqtt_url" --mqtt-qos 1 --connections "$racers")
else
    key=$(new_key "$work/network" load)
    start_serve "$work/network" --shards "$shards"
    echo "network: $racers riders, $race_seconds s, seed $seed, speed $speed -> http://127.0.0.1:$port ($shards shard(s))"
    target=(--endpoint "http://127.0.0.1:$port" --api-key "$key")
fi
"$bin/alleycat-sim" "${target[@]}" --racers "$racers" --seconds "$race_seconds" --seed "$seed" --start "$start" --speed "$speed"
if [[ $transport == mqtt ]]; then wait_mqtt_drained "$port"; fi
kill -INT "$pid"
wait "$pid"

echo "in process: the same race"
"$bin/alleycat" race --racers "$racers" --seconds "$race_seconds" --seed "$seed" --start "$start" --shards "$shards" \
    --data "$work/local" >/dev/null

differences=0
for class in 1 2 3 4 5 6; do
    a=$(gzip -dc "$work/network/history/class-$class.gz" | sha256sum | cut -c1-16)
    b=$(gzip -dc "$work/local/history/class-$class.gz" | sha256sum | cut -c1-16)
    if [[ "$a" == "$b" ]]; then echo "history class-$class.gz: identical ($a)"; else echo "history class-$class.gz: DIFFERENT ($a vs $b)"; differences=$((differences + 1)); fi
    for by in total best final; do
        if cmp -s <("$bin/alleycat" leaderboard --class "$class" --by "$by" --limit 1000 --json --data "$work/network") \
                  <("$bin/alleycat" leaderboard --class "$class" --by "$by" --limit 1000 --json --data "$work/local"); then
            :
        else
            echo "leaderboard class $class by $by: DIFFERENT"
            differences=$((differences + 1))
        fi
    done
done
echo "leaderboards compared: 6 classes by total, best and final, up to 1000 rows each"
if ((differences == 0)); then echo "no difference"; else echo "$differences difference(s)"; exit 1; fi
