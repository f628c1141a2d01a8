# Shared by bench/run_*_bench.sh (sourced, not run): a temp work dir removed on exit together
# with the throwaway PostgreSQL cluster, the machine header every result file starts with, and
# the SQLite-then-PostgreSQL loop, and one phase run. The sourcing script sets $bin and
# bench_args and defines run_backend BACKEND DB.

# bench_init NAME: sets $root, $work and $pg_dir, installs the cleanup trap, prints the header.
bench_init() {
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    work="$(mktemp -d "/tmp/tessera-$1.XXXXXX")"
    pg_dir=""
    trap bench_cleanup EXIT
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# cpu: $(nproc) cores, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
    echo "# memory: $(free -h | awk '/^Mem:/ {print $2}')"
}

bench_cleanup() {
    if [[ -n "$pg_dir" ]]; then
        "$root/scripts/pg_test_cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}

bench_load() {
    cut -d' ' -f1-3 /proc/loadavg
}

# bench_phase BACKEND DB NAME: runs one phase of "$bin" in its own process with the sourcing
# script's "${bench_args[@]}", prints its result lines prefixed with BACKEND and keeps its log
# lines in $work (shown when it fails). An empty DB leaves out --db (phases that only write or
# parse files).
bench_phase() {
    local backend="$1" db="$2" name="$3"
    local db_args=()
    if [[ -n "$db" ]]; then
        db_args=(--db "$db")
    fi
    echo "# $backend $name start: load average $(bench_load)"
    "$bin" "${db_args[@]}" "${bench_args[@]}" --phase "$name" 2>"$work/$backend-$name.log" |
        sed "s/^/$backend /" || {
        echo "$backend $name FAILED:" >&2
        tail -n 20 "$work/$backend-$name.log" >&2
        return 1
    }
}

# Runs run_backend on a SQLite file, then on a fresh PostgreSQL cluster; SKIP_SQLITE=1 or
# SKIP_PG=1 leaves one out.
bench_run_backends() {
    if [[ "${SKIP_SQLITE:-0}" != "1" ]]; then
        run_backend sqlite "$work/bench.db"
        rm -f "$work"/bench.db*
    fi
    if [[ "${SKIP_PG:-0}" != "1" ]]; then
        pg_dir="$(mktemp -d "$work-pg.XXXXXX")"
        local url
        # Sized like a server, not like Debian's default for small machines (128 MB): a
        # 1M-item project's tables and indexes (~1 GB) stay in PostgreSQL's own cache, as
        # PostgreSQL's tuning guide's 25% of RAM would keep them on this machine.
        url="$(PG_TEST_SETTINGS="${PG_TEST_SETTINGS:--c shared_buffers=2GB}" \
            "$root/scripts/pg_test_cluster.sh" start "$pg_dir")"
        echo "# postgres settings: fsync=off synchronous_commit=off ${PG_TEST_SETTINGS:--c shared_buffers=2GB}"
        run_backend postgres "$url"
    fi
}
