#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests.
#   scripts/pg_test_cluster.sh start DIR   creates a cluster in DIR, starts it on a free port on
#                                          127.0.0.1 and prints its URL on stdout:
#                                          postgresql://postgres@127.0.0.1:PORT/postgres
#   scripts/pg_test_cluster.sh stop DIR    stops it and removes DIR.
# Uses Debian's PostgreSQL 15 binaries and runs them as the `postgres` user (initdb refuses
# root). Trust authentication, local connections only: never use this for real data.
# PG_TEST_SETTINGS adds server settings, e.g. "-c shared_buffers=2GB" (the benchmarks do).
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
cmd="${1:-}"
dir="${2:-}"
if [[ -z "$cmd" || -z "$dir" ]]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi

as_postgres() {
    if [[ "$(id -u)" == "0" ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Asks the kernel for a free port by binding port 0. A race with another process grabbing it
# before postgres does is possible; start retries with a new port if so.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [[ "$(id -u)" == "0" ]]; then
        chown postgres: "$dir"
    fi
    as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync \
        --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        # fsync off and a small WAL: throwaway data, fast tests.
        if as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off \
                -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
                ${PG_TEST_SETTINGS:-}" \
            start >/dev/null 2>&1; then
            echo "$port" >"$dir/port"
            echo "postgresql://postgres@127.0.0.1:$port/postgres"
            return 0
        fi
        echo "pg_test_cluster: start on port $port failed (attempt $attempt)" >&2
    done
    tail -n 20 "$dir/server.log" >&2 || true
    exit 1
}

stop() {
    if [[ -d "$dir/data" ]]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    *)
        echo "usage: $0 start|stop DIR" >&2
        exit 2
        ;;
esac
