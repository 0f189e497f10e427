#!/usr/bin/env bash
# `make fuzz` after the build: each target first replays its regressions (fuzz/regressions/<t>/,
# every file once), then fuzzes for FUZZ_SECONDS from its seeds. Two targets run at a time (the
# machine has two cores). Exits non-zero when any target crashed; the logs and crash inputs are in
# build/fuzz/runs/. The committed corpus is copied, never written to.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${FUZZ_SECONDS:-60}"
out=build/fuzz/runs
# target and -max_len: well above every seed, small enough to keep executions fast.
targets=(
    "http_parser 4096"
    "request_target 1024"
    "profile_reader 8192"
    "jwt 4096"
    "admin_api 2048"
)

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

run_target() {
    local name="$1" max_len="$2"
    local bin="build/fuzz/fuzz/fuzz_$name" log="$out/$name.log" corpus="$out/corpus/$name"
    local options=(-max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/crashes/$name-")
    if [ -f "fuzz/dict/$name.dict" ]; then
        options+=(-dict="fuzz/dict/$name.dict")
    fi
    mkdir -p "$corpus" "$out/crashes"
    cp fuzz/corpus/"$name"/* "$corpus"/
    : > "$log"
    if [ -d "fuzz/regressions/$name" ]; then
        if ! "$bin" "${options[@]}" fuzz/regressions/"$name"/* >> "$log" 2>&1; then
            echo "fuzz_$name: a regression input fails again (see $log)"
            return 1
        fi
    fi
    if ! "$bin" "${options[@]}" -max_total_time="$seconds" -print_final_stats=1 "$corpus" >> "$log" 2>&1; then
        echo "fuzz_$name: crash; input in $out/crashes/, log in $log"
        return 1
    fi
    echo "fuzz_$name: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)"
}
export -f run_target
export out seconds

mkdir -p "$out"
status=0
printf '%s\n' "${targets[@]}" | xargs -P 2 -L 1 bash -c 'run_target $0 $1' || status=1
exit $status
