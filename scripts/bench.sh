#!/usr/bin/env bash
# Every benchmark, each against its reference measured in the same run:
#   DBSCAN natively (ours vs linfa-clustering vs scikit-learn when Python has it), HDBSCAN natively (vs
#   scikit-learn), DBSCAN and HDBSCAN in wasm (Node),
#   applying a saved model natively (streaming, vs a plain CSV copy), and in headless Chromium:
#   DBSCAN on 1M rows and applying a model to 1M rows.
# Usage: scripts/bench.sh [--no-browser]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

echo "## DBSCAN, natively"
cargo bench -p segment-core --bench dbscan
echo "## HDBSCAN, natively (vs scikit-learn)"
cargo bench -p segment-core --bench hdbscan
echo "## DBSCAN and HDBSCAN in wasm (Node)"
WASM_BINDGEN_TEST_TIMEOUT=900 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  wasm_env cargo test --release --target wasm32-unknown-unknown -p segment-core --test wasm_bench -- --nocapture
echo "## Applying a saved model, natively"
cargo bench -p segment-core --bench apply
if [[ "${1:-}" != "--no-browser" ]]; then
  wasm_env trunk build --release
  (cd tests/e2e && node bench-dbscan.mjs && node bench-apply.mjs)
fi
