#!/usr/bin/env bash
# Runs a 1,000-rider race through simulator → stream → firehose → merger into a fresh
# data directory, then checks the delivered objects from the outside: zcat them, count
# the records, and recompute every output with Python's exact Decimal arithmetic.
# Usage: scripts/check-delivery.sh [RACERS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
racers=${1:-1000}
seconds=${2:-300}

swift build -c release --product alleycat >&2
bin=$(swift build -c release --show-bin-path)
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

"$bin/alleycat" race --racers "$racers" --seconds "$seconds" --start 1700000000000 --data "$data" --json
objects=$(find "$data/delivery" -name '*.gz' -not -path '*/processing-failed/*' | wc -l)
failed=$( (find "$data/delivery/processing-failed" -name "*.gz" 2>/dev/null || true) | wc -l)
echo "delivered objects: $objects, processing-failed objects: $failed"
find "$data/delivery" -name '*.gz' -not -path '*/processing-failed/*' -print0 | xargs -0 zcat | python3 -c '
import json, sys
from decimal import Decimal
expected = int(sys.argv[1]) * int(sys.argv[2])
count, wrong, seen = 0, 0, set()
for line in sys.stdin:
    record = json.loads(line, parse_float=Decimal)
    output = (Decimal(record["cadence"]) + 35) * (Decimal(record["resistance"]) + 65) / 100
    if output != record["output"]:
        wrong += 1
    seen.add((record["racerId"], record["second"]))
    count += 1
print(f"records: {count} (expected {expected}), distinct racer-seconds: {len(seen)}, wrong outputs: {wrong}")
sys.exit(0 if count == expected == len(seen) and wrong == 0 else 1)
' "$racers" "$seconds"
