#!/usr/bin/env bash
# Builds the cargo-fuzz targets (libFuzzer, coverage-guided; `--sanitizer none` because
# AddressSanitizer needs nightly Rust) and runs each for SECONDS (default 60).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET ...]   (targets: ingest_parquet slicing)
# Prints one line per target: "fuzz <target>: N executions in S s, corpus C inputs, findings: none|<paths>".
# Exits non-zero on a build failure or a finding (a crash input is kept in fuzz/artifacts/<target>/).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
if [ $# -gt 0 ]; then targets=("$@"); else targets=(ingest_parquet slicing); fi
# Its own target dir outside the clone: everything (polars too) is built with coverage instrumentation.
target_dir="${FERROBT_FUZZ_TARGET_DIR:-$HOME/.cache/ferrobt/fuzz-target}"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2 >/dev/null 2>&1 || { echo "could not install cargo-fuzz"; exit 1; }
fi
cargo fuzz build --sanitizer none --target-dir "$target_dir" || exit 1
mkdir -p out/fuzz

# Seeds for ingest_parquet's whole-file mode: the small files the bad-input corpus script writes
# (hyparquet's v2 data pages, odd values, other schemas; generated on demand) and the committed
# pyarrow fixtures (every codec, page index, checksums, a nested column).
seed_ingest() {
  local corpus=fuzz/corpus/ingest_parquet seeds=out/fuzz/seeds
  mkdir -p "$corpus"
  ls "$corpus"/seed-* >/dev/null 2>&1 && return 0
  node --import tsx __test__/fixtures/make-bad.ts "$seeds" >/dev/null || return 1
  for f in "$seeds"/*.parquet __test__/fixtures/writers/*.parquet; do
    if [ -f "$f" ] && [ -r "$f" ] && [ "$(stat -c %s "$f")" -le 65536 ] && [ "$(head -c 4 "$f")" = PAR1 ]; then
      cp "$f" "$corpus/seed-$(basename "$f")"
    fi
  done
}
seed_ingest || { echo "could not generate the ingest seeds"; exit 1; }

status=0
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  log="out/fuzz/$target.log"
  "$target_dir/x86_64-unknown-linux-gnu/release/$target" "fuzz/corpus/$target" \
    -artifact_prefix="fuzz/artifacts/$target/" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
    -print_final_stats=1 > "$log" 2>&1
  rc=$?
  runs=$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$log" | awk '{print $2}')
  corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
  findings=$(grep -Eo "Test unit written to [^ ]+" "$log" | awk '{print $5}' | tr '\n' ' ')
  echo "fuzz $target: ${runs:-0} executions in ${seconds} s, corpus ${corpus} inputs, findings: ${findings:-none}"
  if [ $rc -ne 0 ] || [ -n "$findings" ] || [ -z "$runs" ]; then status=1; tail -30 "$log"; fi
done
exit $status
