#!/usr/bin/env bash
# Installs what is missing, then runs every check and test: formatting, clippy (native and wasm), the
# core's native tests (parity with scikit-learn and linfa), the SQL export run in DuckDB, the core's
# tests compiled to wasm (run in Node), the release build, and the end-to-end tests in headless
# Chromium. Stops at the first failure.
#
# The native and the wasm steps (scripts/test_chain.sh) run side by side, each on its own target
# directory: run one after the other they kept one of the two cores idle a third of the time
# (single-crate compiles, LTO links, wasm-opt). Each chain's output goes to target/test-logs/ and is
# printed when it ends; the first to fail stops the other. The browser tests need the release build,
# so they come last. Every step prints its time ("[time] ...").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
source scripts/env.sh
step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }
started=$SECONDS

step "cargo fmt --check"
cargo fmt --all -- --check

logs=target/test-logs
mkdir -p "$logs"
set -m # each chain in a process group of its own, so a failure can stop the other one whole
declare -A pid
for chain in native wasm; do
  step "$chain chain started (log: $logs/$chain.log)"
  bash scripts/test_chain.sh "$chain" >"$logs/$chain.log" 2>&1 &
  pid[$chain]=$!
done
stop_all() {
  local running
  for running in "${!pid[@]}"; do
    kill -- -"${pid[$running]}" 2>/dev/null || true
  done
}
trap stop_all EXIT
trap 'stop_all; exit 1' INT TERM
while ((${#pid[@]} > 0)); do
  status=0
  wait -n -p ended "${pid[@]}" || status=$?
  for chain in "${!pid[@]}"; do
    [[ ${pid[$chain]} == "$ended" ]] || continue
    unset "pid[$chain]"
    step "$chain chain ended ($status)"
    cat "$logs/$chain.log"
    if ((status != 0)); then
      stop_all
      echo "The $chain chain failed (its log is above, and in $logs/$chain.log)." >&2
      exit "$status"
    fi
  done
done
set +m
grep -h '^\[time\]' "$logs"/*.log

step "end-to-end tests (headless Chromium)"
e2e_start=$SECONDS
(cd tests/e2e && npm test)
echo "[time] end-to-end tests: $((SECONDS - e2e_start)) s"
echo "[time] the whole test command: $((SECONDS - started)) s"
