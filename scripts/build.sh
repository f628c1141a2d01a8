#!/usr/bin/env bash
# Builds the UI (web/dist) and the server (build/<preset>). Usage: scripts/build.sh [dev|asan|release]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"
jobs="${TESSERA_BUILD_JOBS:-$(nproc)}"

if [ -f web/package.json ]; then
    (cd web && npm run --silent build)
fi
cmake --preset "$preset" -G "Unix Makefiles" >/dev/null
cmake --build "build/$preset" -j "$jobs"
