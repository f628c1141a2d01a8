#!/usr/bin/env bash
# Command 1: install what is missing, build, and run the server on its embedded default
# (SQLite and local disk under ./tessera-data, http://127.0.0.1:8080). Extra arguments go to
# `tessera serve`, e.g. scripts/serve.sh --allowed-root /srv/images
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Only the server binary: the tests and benchmarks are not needed to serve (and the release
# preset does not look for GoogleTest or Google Benchmark).
scripts/build.sh release tessera
exec build/release/server/src/app/tessera serve "$@"
