#!/usr/bin/env bash
# Installs what is missing, builds the app (release: the analysis is compute-heavy) and serves it at
# http://127.0.0.1:8080/ . Click "Try the sample dataset" to see the original project's segments.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
PORT=${PORT:-8080}
echo "Serving on http://127.0.0.1:$PORT/ (Ctrl+C to stop)"
wasm_release_bins
wasm_env trunk serve --release --port "$PORT"
