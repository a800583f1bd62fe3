#!/usr/bin/env bash
# One of the test command's two chains, which scripts/test.sh runs side by side (see there):
#   native: clippy (native, all targets), the native tests, the SQL export run in DuckDB;
#   wasm:   clippy (the page and the workers), the core's tests in wasm (Node), the release build.
# Each step prints how long it took. Usage: scripts/test_chain.sh native|wasm
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }
# Runs a step and says how long it took.
timed() {
  local name=$1 start=$SECONDS
  shift
  step "$name"
  "$@"
  echo "[time] $name: $((SECONDS - start)) s"
}

native() {
  timed "clippy (native, all targets)" cargo clippy --workspace --all-targets -- -D warnings
  timed "native tests" cargo test --workspace
  timed "the SQL export in DuckDB (equal to segment apply, row for row)" \
    .tools/py/bin/python tests/sql/sql_check.py duckdb "$PWD/target/debug/segment" "$PWD/tests/fixtures" "$PWD/public"
}

wasm() {
  # A target directory of its own: cargo locks one per build, and the native chain runs meanwhile.
  export CARGO_TARGET_DIR="$PWD/target/wasm-chain"
  timed "clippy (wasm: the page and the workers)" \
    wasm_env cargo clippy --target wasm32-unknown-unknown -p segment-app --lib --bins -- -D warnings
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    timed "core tests in wasm (Node)" \
    wasm_env cargo test --target wasm32-unknown-unknown -p segment-core --test wasm
  timed "release build (trunk)" wasm_env trunk build --release
  for f in dist/*.wasm; do
    echo "$(basename "$f"): $(stat -c %s "$f") bytes, $(gzip -9 -c "$f" | wc -c) gzipped"
  done
}

case "${1:-}" in
  native) native ;;
  wasm) wasm ;;
  *)
    echo "usage: scripts/test_chain.sh native|wasm" >&2
    exit 2
    ;;
esac
