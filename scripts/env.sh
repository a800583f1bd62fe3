# Sourced by the other scripts: puts the project's build tools on PATH and, where setup fell back to
# Debian's Rust for wasm, sets up build-std for the wasm builds (Trunk's cargo calls) only.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$ROOT/scripts/tools/node_modules/.bin:$PATH"
# Trunk must never try to download its own tools: it uses wasm-bindgen and wasm-opt from PATH.
export TRUNK_SKIP_VERSION_CHECK=true
wasm_env() {
  if [[ -f "$ROOT/.tools/use-debian-wasm" ]]; then
    PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort "$@"
  else
    "$@"
  fi
}
# The page's three wasm binaries (app, worker, parquet) built in one cargo call before Trunk's: Trunk
# builds them one after the other, and each one's link-time optimisation (lto = true, one codegen unit)
# keeps a single core busy; in one call they link side by side. Trunk's own calls then find them
# fresh (same target, profile and features).
wasm_release_bins() {
  wasm_env cargo build --release --target wasm32-unknown-unknown --bins
}
