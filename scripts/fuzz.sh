#!/usr/bin/env bash
# Fuzzes the libFuzzer targets (README, "Fuzzing") and prints one JSON line per target:
#   {"name": "fuzz-<target>", "value": <execs per second>, "unit": "exec/s",
#    "detail": {"seconds": .., "runs": .., "corpus": <files at end>, "crashes": <new crash inputs>, ...}}
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default: 600 s each, every target, one after the other)
#   TARGET is record-parser, kinesis-request, cbor-request, mqtt-packet or the full fuzz-... name.
#   FUZZ_KEEP_GOING=1   run the whole time past crashes (libFuzzer -fork=1 -ignore_crashes=1);
#                       by default libFuzzer stops at the first crash, as it normally does.
#   FUZZ_SANITIZE=fuzzer,address   add AddressSanitizer (slower; catches out-of-bounds reads
#                       in the parser's unsafe-pointer code that a release build does not check).
#   FUZZ_ARGS="..."     more libFuzzer flags, e.g. "-seed=1 -jobs=2".
# Each target fuzzes a copy of Fuzz/corpus/<target>/ in a temporary folder, so what
# libFuzzer adds never lands in the repository; crash inputs go to Fuzz/crashes/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-600}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then targets=(fuzz-record-parser fuzz-kinesis-request fuzz-cbor-request fuzz-mqtt-packet); fi
sanitize=${FUZZ_SANITIZE:-fuzzer}
# One scratch folder per sanitizer set, so switching does not rebuild everything.
scratch=.build-fuzz
if [[ $sanitize != fuzzer ]]; then scratch=.build-fuzz-${sanitize#fuzzer,}; fi

for i in "${!targets[@]}"; do
    case "${targets[$i]}" in
    record-parser | fuzz-record-parser) targets[$i]=fuzz-record-parser ;;
    kinesis-request | fuzz-kinesis-request) targets[$i]=fuzz-kinesis-request ;;
    cbor-request | fuzz-cbor-request) targets[$i]=fuzz-cbor-request ;;
    mqtt-packet | fuzz-mqtt-packet) targets[$i]=fuzz-mqtt-packet ;;
    *)
        echo "unknown fuzz target '${targets[$i]}': choose record-parser, kinesis-request, cbor-request or mqtt-packet" >&2
        exit 2
        ;;
    esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for target in "${targets[@]}"; do
    # SwiftPM links the executable's main to the module's entry point, so the target starts
    # libFuzzer itself through LLVMFuzzerRunDriver (Fuzz/FuzzChecks/LibFuzzerDriver.swift).
    swift build --scratch-path "$scratch" -c release -Xswiftc -sanitize="$sanitize" -Xswiftc -DALLEYCAT_FUZZING \
        --product "$target" >&2
    bin=$(swift build --scratch-path "$scratch" -c release --show-bin-path)/$target

    corpus=$work/corpus-$target
    crashes=Fuzz/crashes/$target
    log=$work/$target.log
    cp -r "Fuzz/corpus/$target" "$corpus"
    mkdir -p "$crashes"
    before=$(find "$crashes" -type f | sort)

    flags=(-max_total_time="$seconds" -print_final_stats=1 -max_len=4096 -timeout=10 -artifact_prefix="$crashes/")
    if [[ ${FUZZ_KEEP_GOING:-0} == 1 ]]; then flags+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); fi
    # shellcheck disable=SC2206
    flags+=(${FUZZ_ARGS:-})
    echo "fuzzing $target for $seconds s: $bin ${flags[*]} $corpus" >&2
    start=$(date +%s.%N)
    status=0
    # Exit status 1 (crash), 70 (timeout), 71 (oom), 77 (ASan), ...: a finding, reported below.
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$bin" "${flags[@]}" "$corpus" >"$log" 2>&1 || status=$?
    end=$(date +%s.%N)

    new_crashes=$(comm -13 <(echo "$before") <(find "$crashes" -type f | sort) | sed '/^$/d')
    if [[ -n $new_crashes ]]; then
        {
            echo "$target: crash inputs in $crashes/ (replayed by swift test --filter FuzzChecksTests):"
            echo "$new_crashes" | sed 's/^/  /'
            grep -m1 -E "Fatal error|ERROR: (libFuzzer|AddressSanitizer)" "$log" || true
        } >&2
        cp "$log" "$scratch/$target-crash.log"
        echo "  libFuzzer's output: $scratch/$target-crash.log" >&2
    fi

    python3 - "$target" "$log" "$corpus" "$start" "$end" "$status" "$new_crashes" "$sanitize" <<'EOF'
import json, os, re, sys
target, log, corpus, start, end, status, new_crashes, sanitize = sys.argv[1:9]
text = open(log, errors="replace").read()
wall = float(end) - float(start)
stats = dict(re.findall(r"^stat::(\w+):\s+(\d+)", text, re.M))
if stats:
    # One process: libFuzzer's final stats.
    runs = int(stats["number_of_executed_units"])
    rate = int(stats["average_exec_per_sec"])
else:
    # Fork mode: the parent's last status line, "#RUNS: cov: .. exec/s: .. time: Ts ...".
    lines = re.findall(r"^#(\d+): cov: .*? time: (\d+)s", text, re.M)
    if not lines:
        sys.exit(f"{target}: no libFuzzer statistics in {log}:\n{text[-2000:]}")
    runs, seconds = int(lines[-1][0]), int(lines[-1][1])
    rate = round(runs / max(seconds, 1))
coverage = re.findall(r"cov: (\d+) ft: (\d+)", text)
files = [name for name in os.listdir(corpus) if not name.startswith(".")]
crashes = [line for line in new_crashes.splitlines() if line]
print(json.dumps({"name": target, "value": rate, "unit": "exec/s", "detail": {
    "seconds": round(wall, 1), "runs": runs, "corpus": len(files), "crashes": len(crashes),
    "coverage": int(coverage[-1][0]) if coverage else None, "features": int(coverage[-1][1]) if coverage else None,
    "sanitize": sanitize, "exit": int(status), "machine": f"{os.cpu_count()} cores"}}))
EOF
done
