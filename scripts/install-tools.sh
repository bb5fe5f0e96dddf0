#!/usr/bin/env bash
# Installs what the build needs and this machine lacks, into the checkout where possible.
# Idempotent and quick when everything is present. Usage: scripts/install-tools.sh [--browser]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=$root/.tools
worker_build_version=0.8.7
# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly.
wbg_version=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)
[ -n "$wbg_version" ] || { echo "install-tools: wasm-bindgen not found in Cargo.lock" >&2; exit 1; }

say() { echo "install-tools: $*" >&2; }

# The wasm target (rust-toolchain.toml names it; this covers rustups that do not auto-install).
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# cargo install with the crate's lockfile, falling back to fresh resolution when the registry
# no longer serves a locked dependency.
cargo_install() { # crate version binary
  local have
  have=$("$tools/bin/$3" --version 2>/dev/null || true)
  case "$have" in *"$2"*) return 0 ;; esac
  say "installing $1 $2 into .tools (a few minutes, once)"
  cargo install --quiet "$1" --version "$2" --locked --root "$tools" \
    || cargo install --quiet "$1" --version "$2" --root "$tools"
}
cargo_install wasm-bindgen-cli "$wbg_version" wasm-bindgen
cargo_install worker-build "$worker_build_version" worker-build

# npm packages (wrangler, binaryen's wasm-opt, esbuild, playwright-core), exactly as locked.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Debian's Chromium and ChromeDriver, for the browser tests; never a downloaded browser.
if [ "${1:-}" = "--browser" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing chromium and chromium-driver from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
