#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang 14, ASan + UBSan) and runs each over a
# seed corpus built from the test data (tools/fuzz_corpus.py) plus the committed regression
# inputs in server/fuzz/regressions/<target>/.
#   scripts/fuzz.sh [--seconds N] [TARGET...]   N seconds of fuzzing per target (default 600)
#   scripts/fuzz.sh --runs N [--seed S] [TARGET...]
#                                               N inputs per target from random seed S (default 1),
#                                               from the seed corpus alone: nearly the same inputs
#                                               on every run of the same code, whatever the load
#                                               (the short run before merging a reader change)
#   scripts/fuzz.sh --replay                    run every regression input once, no fuzzing
# TARGET is a name without the fuzz_ prefix (import_coco, shapes, ...); default: all of them.
# Targets run TESSERA_BUILD_JOBS (default: the number of cores) at a time, so the default
# 10-minute run of 24 targets takes 2 hours on 2 cores.
# Prints executions, corpus size and crashes per target; exits 1 when a target found a crash,
# leaving the input in build/fuzz/findings/<target>/ (docs/FUZZING.md: how it becomes a test).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=600
runs=0
seed=0
replay=0
targets=()
while (($#)); do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --replay) replay=1; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done

cmake --preset fuzz -G "Unix Makefiles" >/dev/null
cmake --build build/fuzz -j "${TESSERA_BUILD_JOBS:-$(nproc)}" --target tessera_fuzzers
if ((${#targets[@]} == 0)); then
    mapfile -t targets < <(cd build/fuzz/server/fuzz && ls fuzz_* | grep -v '\.' | sed 's/^fuzz_//' | sort)
fi

corpus="$root/build/fuzz/corpus"
python3 tools/fuzz_corpus.py "$root" "$corpus" >/dev/null
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# Runs one target and writes its result line to build/fuzz/logs/TARGET.result; fails when the
# target found something. Targets run TESSERA_BUILD_JOBS at a time (libFuzzer uses one core),
# each in the background; its exit status goes to TARGET.status, which the summary below judges
# by (the result line is for people).
run_target() {
    local target="$1"
    local binary="build/fuzz/server/fuzz/fuzz_$target"
    local findings="$root/build/fuzz/findings/$target"
    local log="$root/build/fuzz/logs/$target.log"
    local result="$root/build/fuzz/logs/$target.result"
    mkdir -p "$findings" "$(dirname "$log")" "$corpus/$target"
    if ((replay)); then
        local inputs=(server/fuzz/regressions/"$target"/*)
        if [ ! -e "${inputs[0]}" ]; then
            : >"$result"
            return 0
        fi
        if "$binary" -runs=1 "${inputs[@]}" >"$log" 2>&1; then
            printf '%-26s %12s %8s %s\n' "$target" "${#inputs[@]}" - "replayed" >"$result"
            return 0
        fi
        printf '%-26s %12s %8s %s\n' "$target" "${#inputs[@]}" - "FAILED (log: $log)" >"$result"
        return 1
    fi
    # -rss_limit_mb: an import that needs more than 2 GiB for a small input is a finding too.
    local budget
    if ((runs > 0)); then
        # The corpus starts as the seeds alone (fuzz_corpus.py rebuilt it above).
        budget=(-runs="$runs" -seed="$((seed > 0 ? seed : 1))")
    else
        budget=(-max_total_time="$seconds")
        if ((seed > 0)); then
            budget+=(-seed="$seed")
        fi
    fi
    local status=0
    "$binary" "${budget[@]}" -timeout=20 -rss_limit_mb=2048 -max_len=1048576 \
        -print_final_stats=1 -artifact_prefix="$findings/" "$corpus/$target" >"$log" 2>&1 ||
        status=$?
    local execs size
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    size=$(find "$corpus/$target" -type f | wc -l)
    if ((status == 0)); then
        printf '%-26s %12s %8s %s\n' "$target" "$execs" "$size" "no crash" >"$result"
        return 0
    fi
    printf '%-26s %12s %8s %s\n' "$target" "$execs" "$size" \
        "CRASH (log: $log; input in $findings)" >"$result"
    return 1
}

jobs_at_once="${TESSERA_BUILD_JOBS:-$(nproc)}"
mkdir -p "$root/build/fuzz/logs"
rm -f "$root"/build/fuzz/logs/*.result "$root"/build/fuzz/logs/*.status
for target in "${targets[@]}"; do
    while (($(jobs -rp | wc -l) >= jobs_at_once)); do
        wait -n || true
    done
    (
        if run_target "$target"; then status=0; else status=$?; fi
        echo "$status" >"$root/build/fuzz/logs/$target.status"
    ) &
done
wait || true

failed=()
printf '%-26s %12s %8s %s\n' target executions corpus result
for target in "${targets[@]}"; do
    result="$root/build/fuzz/logs/$target.result"
    status_file="$root/build/fuzz/logs/$target.status"
    if [ ! -e "$status_file" ]; then
        echo "$target: no result (the run did not finish)"
        failed+=("$target")
        continue
    fi
    cat "$result" 2>/dev/null || true
    if [ "$(cat "$status_file")" != 0 ]; then
        failed+=("$target")
    fi
done

if ((${#failed[@]})); then
    echo "fuzz: findings in: ${failed[*]}"
    exit 1
fi
echo "fuzz: ${#targets[@]} targets, no findings"
