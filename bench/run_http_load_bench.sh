#!/usr/bin/env bash
# Runs the HTTP load driver (bench/http_load_bench.cpp) against the real `tessera serve` on
# SQLite and on PostgreSQL and prints its result lines, prefixed with the backend. Builds
# nothing.
#
#   bench/run_http_load_bench.sh BUILD_DIR [ITEMS] [SECONDS] [LABELERS]
#
# BUILD_DIR holds bench/tessera_http_load_bench, bench/tessera_load_bench (the seeder) and
# server/src/app/tessera. Defaults: 1,000,000 items, 20 seconds of labeling, 50 labelers.
# For each backend the driver seeds the `bench` project with `tessera_load_bench --phase seed`
# (rows, no image files), starts `tessera serve` on port 0, creates the labeler accounts and API
# tokens, and runs. SQLite runs on a temp file; PostgreSQL on a throwaway cluster from
# scripts/pg_test_cluster.sh (needs Debian's PostgreSQL 15 and root or the postgres user; that
# cluster runs with fsync=off and synchronous_commit=off). Set SKIP_PG=1 or SKIP_SQLITE=1 to run
# one backend only. The server, the driver and the database share this machine's cores: the
# driver prints its own CPU time and the server's. docs/PERFORMANCE.md records the results with
# the machine, date and load. THINK_MS=N gives each item about N ms of a labeler's look before
# its submit (the driver's --think-ms; default 0, a saturated machine).
set -euo pipefail

build="${1:-}"
items="${2:-1000000}"
seconds="${3:-20}"
labelers="${4:-50}"
if [[ -z "$build" || ! -d "$build" ]]; then
    echo "usage: $0 BUILD_DIR [ITEMS] [SECONDS] [LABELERS]" >&2
    exit 2
fi
build="$(cd "$build" && pwd)"
driver="$build/bench/tessera_http_load_bench"
seeder="$build/bench/tessera_load_bench"
server="$build/server/src/app/tessera"
for bin in "$driver" "$seeder" "$server"; do
    if [[ ! -x "$bin" ]]; then
        echo "$bin is missing: build tessera, tessera_load_bench and tessera_http_load_bench" >&2
        exit 2
    fi
done
source "$(dirname "$0")/bench_lib.sh"
bench_init http-bench-run
echo "# items=$items seconds=$seconds labelers=$labelers think_ms=${THINK_MS:-0}"

status=0
run_backend() {
    local backend="$1" db="$2"
    echo "# $backend start: load average $(bench_load)"
    "$driver" --tessera "$server" --seed-bin "$seeder" --db "$db" --items "$items" \
        --seconds "$seconds" --labelers "$labelers" --think-ms "${THINK_MS:-0}" \
        2>"$work/$backend.log" |
        sed "s/^/$backend /" || {
        echo "$backend FAILED:" >&2
        tail -n 30 "$work/$backend.log" >&2
        status=1
    }
    echo "# $backend end: load average $(bench_load)"
}

bench_run_backends
exit "$status"
