#!/usr/bin/env bash
# Starts `alleycat serve` with a simulated race, lets the race run, and takes a
# headless Chromium screenshot of the dashboard mid-race.
# Usage: scripts/screenshot.sh [OUTPUT.png]   (default docs/dashboard.png)
# Needs Debian's chromium (installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
output=${1:-docs/dashboard.png}
port=${PORT:-8093}

if ! command -v chromium >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
swift build -c release --product alleycat >&2
bin=$(swift build -c release --show-bin-path)
data=$(mktemp -d)
log=$(mktemp)
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data" "$log"; }
trap cleanup EXIT

# A finished race in an earlier 5-minute window (history, leaderboard, results), then a live one at 4× speed.
earlier=$(( $(date +%s%3N) - 600000 ))
"$bin/alleycat" race --racers 240 --class 1,2 --seconds 120 --seed 3 --start "$earlier" --data "$data" >/dev/null
"$bin/alleycat" serve --port "$port" --data "$data" --simulate-racers 240 --simulate-class 1,2 \
    --simulate-seconds 300 --speed 4 --seed 4 >"$log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
sleep 12  # about 48 race seconds at 4× speed: mid-race
mkdir -p "$(dirname "$output")"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,900 \
    --virtual-time-budget=4000 --screenshot="$output" "http://127.0.0.1:$port/#class=1&racer=6" 2>/dev/null
echo "screenshot: $output"
curl -s "http://127.0.0.1:$port/rankings?classId=1&limit=3" | head -c 300; echo
