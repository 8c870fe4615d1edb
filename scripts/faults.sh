#!/usr/bin/env bash
# Fault script (issue 12): a connection flood and a store held locked during a race, a
# second service on the same folder, a full disk filled and freed, a damaged history file
# repaired by the command its refusal names; each checked against a running service and a
# clean run (scripts/faults.py says how). Prints a line per check and one JSON line;
# exits 1 when a check fails. Needs root for the tmpfs of the full-disk case.
#   RACERS (300)  RACE_SECONDS (60)  SPEED (2)  MAX_CONNECTIONS (200)  LOCK_SECONDS (20)
#   CONFIG (release; CI uses debug, which `swift test` has built)
set -euo pipefail
cd "$(dirname "$0")/.."
config=${CONFIG:-release}
swift build -c "$config" --product alleycat >&2
swift build -c "$config" --product alleycat-sim >&2
exec python3 scripts/faults.py "$(swift build -c "$config" --show-bin-path)"
