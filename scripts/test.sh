#!/usr/bin/env bash
# Installs what is missing, then runs every check and test: formatting, clippy (native and wasm), the
# core's native tests (parity with scikit-learn and linfa), the SQL export run in DuckDB, the core's
# tests compiled to wasm (run in Node), the release build, and the end-to-end tests in headless
# Chromium. Stops at the first failure. Every step prints its time ("[time] ...").
#
# The steps run one after the other on one target directory, so a step reuses what an earlier one
# compiled with the same settings (the wasm steps still build some proc-macros of their own). (Run
# side by side on two target directories, each step took twice as long and the whole no less: every
# step keeps both cores busy, and the host crates were compiled twice.)
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

# Native clippy runs inside the native test build, not as a `cargo check` of its own: `cargo clippy` is
# `cargo check` with RUSTC_WORKSPACE_WRAPPER set to clippy-driver (the workspace's crates are compiled
# through it, the dependencies by plain rustc) and its arguments in CLIPPY_ARGS; the same two variables
# on `cargo test` lint the same targets while compiling them for real, so the dependency tree is built
# once for both (that check alone took about 7 minutes). Both cargo test calls set them, or the second
# would rebuild the workspace's crates.
CLIPPY_DRIVER=$(rustup which clippy-driver)
with_clippy() {
  RUSTC_WORKSPACE_WRAPPER="$CLIPPY_DRIVER" \
    CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" "$@"
}

timed "cargo fmt --check" cargo fmt --all -- --check
# The examples build as plain binaries (cargo test's default, unoptimised): as test harnesses
# (--all-targets) each was optimised for nothing, they are never run here.
native_build() {
  with_clippy cargo test --workspace --no-run && with_clippy cargo test --workspace --benches --no-run
}
timed "clippy -D warnings on every native target, built for the tests" native_build
timed "clippy (wasm: the page and the workers)" \
  wasm_env cargo clippy --target wasm32-unknown-unknown -p segment-app --lib --bins -- -D warnings
timed "native tests" with_clippy cargo test --workspace
timed "the SQL export in DuckDB (equal to segment apply, row for row)" \
  .tools/py/bin/python tests/sql/sql_check.py duckdb "$PWD/target/debug/segment" "$PWD/tests/fixtures" "$PWD/public"
timed "the SQL export fuzzed in DuckDB (20 random tables, names and settings)" \
  .tools/py/bin/python tests/sql/sql_fuzz.py "$PWD/target/debug/segment" 20
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  timed "core tests in wasm (Node)" wasm_env cargo test --target wasm32-unknown-unknown -p segment-core --test wasm
timed "release build (the three wasm binaries side by side)" wasm_release_bins
timed "release build (trunk)" wasm_env trunk build --release
for f in dist/*.wasm; do
  echo "$(basename "$f"): $(stat -c %s "$f") bytes, $(gzip -9 -c "$f" | wc -c) gzipped"
done
# Two test files at a time (each test its own browser and server on a free port): the tests wait on
# the page much of the time, so two share the 2 cores well (216 s against 304 s one at a time).
timed "end-to-end tests (headless Chromium)" bash -c "cd tests/e2e && npm test"
echo "[time] the whole test command: $((SECONDS - started)) s"
