# Sourced by the scripts that run `alleycat serve` (bench-ingest.sh, network-race.sh,
# crash-harness.sh); they set $bin to the folder of the built binaries first.

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
