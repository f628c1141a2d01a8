#!/usr/bin/env bash
# A throwaway Azurite (Microsoft's Azure Storage emulator, npm `azurite` in web/'s
# devDependencies) for the Azure Blob tests.
#   scripts/azurite.sh start DIR   starts Azurite's blob service on a free port on 127.0.0.1 with
#                                  its log in DIR (blobs in memory) and prints the blob endpoint of the well-known
#                                  development account: http://127.0.0.1:PORT/devstoreaccount1
#   scripts/azurite.sh stop DIR    stops it and removes DIR.
# The account key is Azurite's published development key (tests embed it): never use this for
# real data.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
azurite="$root/web/node_modules/.bin/azurite-blob"
cmd="${1:-}"
dir="${2:-}"
if [[ -z "$cmd" || -z "$dir" ]]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Any HTTP answer (Azurite says 400 to a bare GET) means it listens.
answers() {
    python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/devstoreaccount1?comp=list", timeout=1)
except urllib.error.HTTPError:
    pass
except Exception:
    sys.exit(1)
PY
}

start() {
    if [[ ! -x "$azurite" ]]; then
        echo "azurite: $azurite is missing; run (cd web && npm ci)" >&2
        exit 1
    fi
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        # --loose accepts headers Azurite does not know; --skipApiVersionCheck lets clients speak
        # newer API versions than this Azurite release; no telemetry leaves a test run; blobs stay
        # in memory (throwaway data, faster uploads).
        (cd "$dir" && exec "$azurite" --blobHost 127.0.0.1 --blobPort "$port" \
            --inMemoryPersistence --silent --disableTelemetry --skipApiVersionCheck --loose \
            >"$dir/azurite.log" 2>&1) &
        echo $! >"$dir/pid"
        for _ in $(seq 1 150); do
            if answers "$port"; then
                echo "$port" >"$dir/port"
                echo "http://127.0.0.1:$port/devstoreaccount1"
                return 0
            fi
            if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
                break
            fi
            sleep 0.2
        done
        kill "$(cat "$dir/pid")" 2>/dev/null || true
        echo "azurite: start on port $port failed (attempt $attempt)" >&2
    done
    tail -n 20 "$dir/azurite.log" >&2 || true
    exit 1
}

stop() {
    if [[ -f "$dir/pid" ]]; then
        pid="$(cat "$dir/pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
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
