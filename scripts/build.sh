#!/usr/bin/env bash
# Builds the UI (web/dist) and the server (build/<preset>).
# Usage: scripts/build.sh [dev|asan|release] [TARGET...]   (no target: everything the preset has)
# The release preset configures without tests and benchmarks (TESSERA_BUILD_TESTS=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"
shift || true
jobs="${TESSERA_BUILD_JOBS:-$(nproc)}"

if [ -f web/package.json ]; then
    (cd web && npm run --silent build)
fi
cmake --preset "$preset" -G "Unix Makefiles" >/dev/null
targets=()
for target in "$@"; do
    targets+=(--target "$target")
done
cmake --build "build/$preset" -j "$jobs" "${targets[@]}"
