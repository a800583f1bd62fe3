#!/usr/bin/env bash
# Installs what is missing, then runs every check and test: formatting, clippy (native and wasm), the
# core's native tests (parity with scikit-learn and linfa), the SQL export run in DuckDB, the core's
# tests compiled to wasm (run in Node), the release build, and the end-to-end tests in headless
# Chromium. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
source scripts/env.sh
step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (native, all targets)"
cargo clippy --workspace --all-targets -- -D warnings

step "clippy (wasm: the page and the worker)"
wasm_env cargo clippy --target wasm32-unknown-unknown -p segment-app --lib --bins -- -D warnings

step "native tests"
cargo test --workspace

step "the SQL export in DuckDB (equal to segment apply, row for row)"
.tools/py/bin/python tests/sql/sql_check.py duckdb "$PWD/target/debug/segment" "$PWD/tests/fixtures" "$PWD/public"

step "core tests in wasm (Node)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  wasm_env cargo test --target wasm32-unknown-unknown -p segment-core --test wasm

step "release build (trunk)"
build_start=$(date +%s)
wasm_env trunk build --release
echo "trunk build: $(( $(date +%s) - build_start )) s"
for f in dist/*.wasm; do
  echo "$(basename "$f"): $(stat -c %s "$f") bytes, $(gzip -9 -c "$f" | wc -c) gzipped"
done

step "end-to-end tests (headless Chromium)"
(cd tests/e2e && npm test)
