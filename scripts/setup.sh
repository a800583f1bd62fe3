#!/usr/bin/env bash
# Installs what building and testing the app needs, and only what is missing (idempotent; fast the
# second time). Usage: scripts/setup.sh [--browser]   (--browser also installs headless Chromium).
#
# Works on a fresh Debian machine with rustup's stable Rust and access to the package registries only
# (crates.io, npm, Debian): no tool is downloaded from anywhere else. See ../shared/TOOLCHAIN.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TRUNK_VERSION=0.21.14
# Must equal the wasm-bindgen crate version pinned in Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
WANT_BROWSER=0
[[ "${1:-}" == "--browser" ]] && WANT_BROWSER=1

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

apt_updated=0
apt_install() {
  if [[ $apt_updated == 0 ]]; then
    log "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 1. The wasm target: rustup's, or Debian's Rust with the std sources (build-std) when rustup cannot
#    reach its server. scripts/wasm-env.sh reads the marker this leaves.
mkdir -p .tools
if rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  rm -f .tools/use-debian-wasm
elif rustup target add wasm32-unknown-unknown; then
  rm -f .tools/use-debian-wasm
else
  log "rustup could not add the wasm target: falling back to Debian's rustc-web with build-std"
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
  touch .tools/use-debian-wasm
fi

# 2. Node.js and npm (the machine image has them; install Debian's if not).
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi

# 3. Trunk and wasm-bindgen-cli, built from crates.io.
if [[ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]]; then
  log "cargo install trunk $TRUNK_VERSION (about 7 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# 4. wasm-opt from npm's binaryen (Debian's binaryen 108 emits broken modules).
npm_ci() {
  local dir=$1
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules/.installed" ]]; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed)
  fi
}
npm_ci scripts/tools

# 5. For the tests: Debian's Chromium and playwright-core (which drives it; it downloads no browser).
if [[ $WANT_BROWSER == 1 ]]; then
  if [[ ! -x /usr/bin/chromium ]]; then
    apt_install chromium chromium-driver
  fi
  npm_ci tests/e2e
fi

# 6. DuckDB (PyPI) in a virtual environment of its own, for the SQL export's tests.
DUCKDB_VERSION=1.3.2
if [[ ! -x .tools/py/bin/python ]] || ! .tools/py/bin/python -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" 2>/dev/null; then
    apt_install python3-venv
  fi
  log "python venv with duckdb $DUCKDB_VERSION (.tools/py)"
  python3 -m venv .tools/py
  .tools/py/bin/pip install --quiet --disable-pip-version-check "duckdb==$DUCKDB_VERSION"
fi
log "ready"
