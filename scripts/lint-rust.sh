#!/usr/bin/env bash
# Rust lint gate: rustfmt (workspace and fuzz crate), clippy with -D warnings (workspace and fuzz crate,
# all targets) and the typos spell checker (installed from PyPI when missing). Runs every check, prints
# what failed, exits non-zero on any finding.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ferrobt/target}"
target=x86_64-unknown-linux-gnu
typos_version=1.52.0
failed=()

check() {
  local name=$1
  shift
  echo "== $name"
  if ! "$@"; then failed+=("$name"); fi
}

check "cargo fmt --check" cargo fmt --all --check
check "rustfmt --check fuzz" rustfmt --check fuzz/fuzz_targets/*.rs
check "clippy (workspace)" cargo clippy --workspace --all-targets --target "$target" --quiet -- -D warnings
check "clippy (fuzz crate)" cargo clippy --manifest-path fuzz/Cargo.toml --all-targets --target "$target" --quiet -- -D warnings

if ! command -v typos >/dev/null 2>&1; then
  echo "== installing typos $typos_version (PyPI)"
  python3 -m pip install --quiet "typos==$typos_version" || failed+=("install typos")
fi
if command -v typos >/dev/null 2>&1; then check "typos" typos; fi

if [ ${#failed[@]} -gt 0 ]; then
  printf 'lint-rust: FAILED: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')"
  exit 1
fi
echo "lint-rust: fmt, clippy, typos clean"
