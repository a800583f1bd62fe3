#!/usr/bin/env bash
# Installs what is missing, then runs every check and test: formatting, clippy (native and wasm), the
# core's native tests (parity with scikit-learn and linfa), the SQL export run in DuckDB, the core's
# tests compiled to wasm (run in Node), the release build, and the end-to-end tests in headless
# Chromium. Stops at the first failure. Every step prints its time ("[time] ...").
#
# The steps run one after the other on one target directory: the wasm builds reuse the build scripts
# and proc-macros the native ones compiled. (Run side by side on two target directories, each step took
# twice as long and the whole no less: every step keeps both cores busy, and the host crates were
# compiled twice.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
source scripts/env.sh
started=$SECONDS
step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }
# Runs a step and says how long it took.
timed() {
  local name=$1 start=$SECONDS
  shift
  step "$name"
  "$@"
  echo "[time] $name: $((SECONDS - start)) s"
}

timed "cargo fmt --check" cargo fmt --all -- --check
timed "clippy (native, all targets)" cargo clippy --workspace --all-targets -- -D warnings
timed "clippy (wasm: the page and the workers)" \
  wasm_env cargo clippy --target wasm32-unknown-unknown -p segment-app --lib --bins -- -D warnings
timed "native tests" cargo test --workspace
timed "the SQL export in DuckDB (equal to segment apply, row for row)" \
  .tools/py/bin/python tests/sql/sql_check.py duckdb "$PWD/target/debug/segment" "$PWD/tests/fixtures" "$PWD/public"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  timed "core tests in wasm (Node)" wasm_env cargo test --target wasm32-unknown-unknown -p segment-core --test wasm
timed "release build (trunk)" wasm_env trunk build --release
for f in dist/*.wasm; do
  echo "$(basename "$f"): $(stat -c %s "$f") bytes, $(gzip -9 -c "$f" | wc -c) gzipped"
done
timed "end-to-end tests (headless Chromium)" bash -c "cd tests/e2e && npm test"
echo "[time] the whole test command: $((SECONDS - started)) s"
