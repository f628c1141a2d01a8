#!/usr/bin/env bash
# Runs the labeling-queue load benchmark (bench/load_bench.cpp) on SQLite and on PostgreSQL and
# prints its result lines, prefixed with the backend. Builds nothing.
#
#   bench/run_load_bench.sh BUILD_DIR/bench/tessera_load_bench [ITEMS] [SECONDS] [LABELERS]
#
# Defaults: 1,000,000 items, 20 seconds of labeling, 50 labelers. SQLite runs on a temp file;
# PostgreSQL on a throwaway cluster from scripts/pg_test_cluster.sh (needs Debian's
# PostgreSQL 15 and root or the postgres user; note that cluster runs with fsync=off and
# synchronous_commit=off). Set SKIP_PG=1 or SKIP_SQLITE=1 to run one backend only.
#
# Each phase (seed, queue, progress, label-all, export) runs in its own process, so the export's
# peak_rss_mb is the export's own and not what the labeler threads left behind. `label-all`
# labels every item the queue phase left (8 threads through the Repository, minutes at 1M
# items), so the export streams all ITEMS labeled rows, as the export target is stated.
# docs/PERFORMANCE.md records results with the machine, date and load.
set -euo pipefail

bin="${1:-}"
items="${2:-1000000}"
seconds="${3:-20}"
labelers="${4:-50}"
if [[ -z "$bin" || ! -x "$bin" ]]; then
    echo "usage: $0 PATH/TO/tessera_load_bench [ITEMS] [SECONDS] [LABELERS]" >&2
    exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
source "$(dirname "$0")/bench_lib.sh"
bench_init bench
echo "# items=$items seconds=$seconds labelers=$labelers"

# Each phase runs in its own process (bench_phase in bench_lib.sh).
bench_args=(--items "$items" --seconds "$seconds" --labelers "$labelers")

run_backend() {
    local backend="$1" db="$2"
    # "seed" matches no measuring phase: the run only creates and fills the project.
    for name in seed queue progress label-all export; do
        bench_phase "$backend" "$db" "$name"
    done
}

bench_run_backends
