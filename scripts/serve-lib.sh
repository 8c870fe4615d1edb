# Sourced by the scripts that run `alleycat serve` (bench-ingest.sh, network-race.sh,
# crash-harness.sh); they set $bin to the folder of the built binaries first, or call
# release_binaries.

# release_binaries: sets $bin to $BENCH_BIN (tools built already: an older build, to compare
# in the same minutes), else to a release build of alleycat and alleycat-sim made now.
release_binaries() {
    if [[ -n "${BENCH_BIN:-}" ]]; then
        bin=$BENCH_BIN
    else
        swift build -c release --product alleycat >&2
        swift build -c release --product alleycat-sim >&2
        bin=$(swift build -c release --show-bin-path)
    fi
}

# new_key DIR NAME: prints a new API key, with a plan no benchmark reaches.
new_key() {
    "$bin/alleycat" keys create --name "$2" --rate 100000 --burst 100000 --data "$1" --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])'
}

# start_serve DIR ARGS...: starts the service on a free port with its output in
# DIR.log; sets $pid and $port once it listens.
start_serve() {
    local data=$1
    shift
    "$bin/alleycat" serve --port 0 --data "$data" "$@" >"$data.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$data.log")
        [[ -n "$port" ]] && return 0
        sleep 0.1
    done
    echo "alleycat serve did not start:" >&2
    cat "$data.log" >&2
    exit 1
}

# start_mosquitto DIR: a Mosquitto broker on a free loopback port with a WebSocket listener
# beside it (Debian's mosquitto; apt-get install -y mosquitto mosquitto-clients), its
# config and log in DIR; sets $mqtt_pid, $mqtt_port and $mqtt_url. No limit on queued or
# in-flight QoS 1 messages: a service away for a restart gets everything on its return.
start_mosquitto() {
    local dir=$1
    mkdir -p "$dir"
    mqtt_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    local ws_port
    ws_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat >"$dir/mosquitto.conf" <<CONF
listener $mqtt_port 127.0.0.1
allow_anonymous true
max_queued_messages 0
max_inflight_messages 0
set_tcp_nodelay true
listener $ws_port 127.0.0.1
protocol websockets
CONF
    local mosquitto
    mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)
    "$mosquitto" -c "$dir/mosquitto.conf" >"$dir/mosquitto.log" 2>&1 &
    mqtt_pid=$!
    # Not a job of the script's (so bash prints no "Killed" when it ends): the caller's trap kills $mqtt_pid.
    disown "$mqtt_pid"
    mqtt_url="mqtt://127.0.0.1:$mqtt_port"
    for _ in $(seq 1 100); do
        if python3 -c "import socket; socket.create_connection(('127.0.0.1', $mqtt_port), 1)" 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    echo "mosquitto did not start:" >&2
    cat "$dir/mosquitto.log" >&2
    exit 1
}

# wait_mqtt_connected LOG: waits (at most 5 s) for `alleycat serve --mqtt` to say in LOG that
# its session is up, so the broker keeps every message from then on.
wait_mqtt_connected() {
    for _ in $(seq 1 100); do
        grep -q "MQTT connected" "$1" && return 0
        sleep 0.05
    done
    echo "alleycat serve did not connect to the broker within 5 s:" >&2
    tail -5 "$1" >&2
    return 1
}

# wait_mqtt_drained PORT: waits (at most 120 s) until the service on PORT has taken no new
# MQTT message for 3 s (its /metrics alleycat_mqtt_messages{outcome="accepted"} still):
# the broker has delivered what it held for the service's session. (The broker's own
# $SYS/broker/store/messages/count includes its retained $SYS messages, so never reaches 0.)
# Sets $mqtt_accepted (the count) and $mqtt_last_change (when it last moved, epoch seconds).
wait_mqtt_drained() {
    local same=0 now
    mqtt_accepted=""
    mqtt_last_change=$(date +%s.%N)
    for _ in $(seq 1 600); do
        now=$(curl -fsS "http://127.0.0.1:$1/metrics" 2>/dev/null | sed -n 's/^alleycat_mqtt_messages{outcome="accepted"} //p')
        if [[ -n "$now" && "$now" == "$mqtt_accepted" ]]; then
            same=$((same + 1))
            ((same >= 15)) && return 0
        else
            same=0
            mqtt_accepted=$now
            mqtt_last_change=$(date +%s.%N)
        fi
        sleep 0.2
    done
    echo "the service was still taking MQTT messages after 120 s" >&2
    return 1
}
