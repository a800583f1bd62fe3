#!/usr/bin/env bash
# Every benchmark, each against its reference measured in the same run:
#   DBSCAN natively (ours vs linfa-clustering vs scikit-learn when Python has it), HDBSCAN natively (vs
#   scikit-learn), DBSCAN and HDBSCAN in wasm (Node),
#   applying a saved model natively (streaming, vs a plain CSV copy), memory against the file's size
#   natively (vs pandas + scikit-learn), and in headless Chromium: DBSCAN on 1M rows and applying a
#   model to 1M rows.
# Usage: scripts/bench.sh [--no-browser]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

# The references: pandas and scikit-learn from PyPI in a virtual environment of their own
# (.tools/bench-py), first on PATH so the benchmarks' `python3` is it. Installed once.
PANDAS_VERSION=2.3.3
SKLEARN_VERSION=1.7.2
if ! .tools/bench-py/bin/python -c "import pandas, sklearn, sys; sys.exit(pandas.__version__ != '$PANDAS_VERSION' or sklearn.__version__ != '$SKLEARN_VERSION')" 2>/dev/null; then
  echo "[bench] python venv with pandas $PANDAS_VERSION and scikit-learn $SKLEARN_VERSION (.tools/bench-py)"
  python3 -m venv .tools/bench-py
  .tools/bench-py/bin/pip install --quiet --disable-pip-version-check \
    "pandas==$PANDAS_VERSION" "scikit-learn==$SKLEARN_VERSION"
fi
export PATH="$ROOT/.tools/bench-py/bin:$PATH"

echo "## DBSCAN, natively"
cargo bench -p segment-core --bench dbscan
echo "## HDBSCAN, natively (vs scikit-learn)"
cargo bench -p segment-core --bench hdbscan
echo "## DBSCAN and HDBSCAN in wasm (Node)"
WASM_BINDGEN_TEST_TIMEOUT=900 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  wasm_env cargo test --release --target wasm32-unknown-unknown -p segment-core --test wasm_bench -- --nocapture
echo "## Applying a saved model, natively"
cargo bench -p segment-core --bench apply
echo "## Memory against the file's size, natively (vs pandas + scikit-learn)"
cargo bench -p segment-core --bench memory -- 1000000
if [[ "${1:-}" != "--no-browser" ]]; then
  wasm_env trunk build --release
  (cd tests/e2e && node bench-dbscan.mjs && node bench-apply.mjs)
fi
