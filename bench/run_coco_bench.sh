#!/usr/bin/env bash
# Runs the COCO export/import benchmark (bench/coco_bench.cpp) on SQLite and on PostgreSQL and
# prints its result lines, prefixed with the backend. Builds nothing.
#
#   bench/run_coco_bench.sh BUILD_DIR/bench/tessera_coco_bench [IMAGES] [BOXES]
#
# Defaults: 100,000 images x 10 boxes = 1,000,000 boxes. SQLite runs on a temp file; PostgreSQL
# on a throwaway cluster from scripts/pg_test_cluster.sh (fsync=off, synchronous_commit=off).
# Set SKIP_PG=1 or SKIP_SQLITE=1 to run one backend only. Each phase (seed, export, parse,
# parse-dom, import, check) runs in its own process, so each peak_rss_mb (getrusage ru_maxrss) is
# that phase's own. parse and parse-dom touch no database: the streaming reader alone, and the
# whole-file DOM the reader used before, for comparison.
set -euo pipefail

bin="${1:-}"
images="${2:-100000}"
boxes="${3:-10}"
if [[ -z "$bin" || ! -x "$bin" ]]; then
    echo "usage: $0 PATH/TO/tessera_coco_bench [IMAGES] [BOXES]" >&2
    exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
source "$(dirname "$0")/bench_lib.sh"
bench_init coco-bench
echo "# images=$images boxes=$boxes"

bench_args=(--file "$work/export.json" --images "$images" --boxes "$boxes")

run_backend() {
    local backend="$1" db="$2"
    for name in seed export parse parse-dom import check; do
        bench_phase "$backend" "$db" "$name"
    done
    echo "# $backend export file: $(du -h "$work/export.json" | cut -f1)"
    rm -f "$work/export.json"
}

bench_run_backends
