#!/usr/bin/env bash
# Runs the CVAT XML / JSONL import benchmark (bench/import_bench.cpp) on SQLite and on PostgreSQL
# and prints its result lines, prefixed with the backend. Builds nothing.
#
#   bench/run_import_bench.sh BUILD_DIR/bench/tessera_import_bench [IMAGES] [BOXES]
#
# Defaults: 100,000 images x 10 boxes = 1,000,000 boxes in each file. The files are written once;
# the readers alone (parse-*) run once, before the backends; then each backend seeds its
# projects, imports both files and checks the counts. SQLite runs on a temp file; PostgreSQL on a
# throwaway cluster from scripts/pg_test_cluster.sh (fsync=off, synchronous_commit=off). Set
# SKIP_PG=1 or SKIP_SQLITE=1 to run one backend only, SKIP_TREE=1 to leave out the
# Boost.PropertyTree comparison (it needs several GiB at the default size). Each phase runs in its
# own process, so each peak_rss_mb (getrusage ru_maxrss) is that phase's own.
set -euo pipefail

bin="${1:-}"
images="${2:-100000}"
boxes="${3:-10}"
if [[ -z "$bin" || ! -x "$bin" ]]; then
    echo "usage: $0 PATH/TO/tessera_import_bench [IMAGES] [BOXES]" >&2
    exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
source "$(dirname "$0")/bench_lib.sh"
bench_init import-bench
echo "# images=$images boxes=$boxes"

bench_args=(--dir "$work" --images "$images" --boxes "$boxes")

run_backend() {
    local backend="$1" db="$2"
    for name in seed import-cvat import-jsonl check; do
        bench_phase "$backend" "$db" "$name"
    done
}

files=(write parse-cvat parse-jsonl)
if [[ "${SKIP_TREE:-0}" != "1" ]]; then
    files+=(parse-cvat-tree)
fi
for name in "${files[@]}"; do
    bench_phase files "" "$name"
done
echo "# files: cvat $(du -h "$work/annotations.xml" | cut -f1), jsonl $(du -h "$work/train.jsonl" | cut -f1)"
bench_run_backends
