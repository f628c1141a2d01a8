#!/usr/bin/env bash
# Installs what is missing (Debian packages, the npm packages of the UI and of the model
# converter), idempotently.
# Usage: scripts/setup.sh            (run as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t wanted < <(grep -v '^\s*#' scripts/debian-packages.txt | grep -v '^\s*$')
missing=()
for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
# npm ships with nodesource's nodejs; Debian's own nodejs needs the separate npm package.
if ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
fi

if ((${#missing[@]})); then
    echo "setup: installing Debian packages: ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "setup: Debian packages present"
fi

# npm packages, pinned by each package-lock.json: the UI's (web/) and the converter's that makes
# the default ML backbone from npm nsfwjs at build time (tools/tfjs2onnx/). Skipped where
# node_modules matches the lock.
for dir in web tools/tfjs2onnx; do
    [ -f "$dir/package-lock.json" ] || continue
    stamp=$dir/node_modules/.tessera-lock-hash
    hash=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
        echo "setup: npm ci in $dir/"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        echo "$hash" > "$stamp"
    else
        echo "setup: $dir/node_modules up to date"
    fi
done
