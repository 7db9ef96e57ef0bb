#!/usr/bin/env bash
# Builds the cargo-fuzz targets (libFuzzer, coverage-guided; `--sanitizer none` because
# AddressSanitizer needs nightly Rust) and runs them, in one of two modes:
#   scripts/fuzz.sh [SECONDS] [TARGET ...]   exploratory: each target for SECONDS (default 60) on the
#                                            growing corpus fuzz/corpus/<target>; finds different inputs
#                                            on different machines
#   scripts/fuzz.sh --smoke [TARGET ...]     reproducible: fixed seed, fixed run count, the seed corpus
#                                            replayed (fresh each time), no wall-time bound, polars on one
#                                            thread, no address randomisation. slicing repeats exactly;
#                                            ingest_parquet's coverage can differ by a fraction of a percent
#                                            (per-process hash seeds in std and polars, the scratch path)
# Targets: ingest_parquet ingest_dbn slicing. Prints one line per target:
#   "fuzz <target>: N executions (...) in T s, cov C, ft F, slow units (>= X s) K, slowest S s, findings: none|<paths>"
# (cov/ft: libFuzzer's final edge and feature counts, to compare runs).
# A finding is a crash, a leak, an out-of-memory or a hang (a unit past HANG_SECONDS, libFuzzer's
# -timeout); a slow unit (past SLOW_SECONDS, slow under coverage instrumentation) is reported as a
# figure, not a finding. Exits non-zero on a build failure or a finding (its input is kept under
# the artifact folder named in the line).
set -uo pipefail
cd "$(dirname "$0")/.."
smoke=0
if [ "${1:-}" = "--smoke" ]; then smoke=1; shift; fi
seconds=60
if [ $smoke = 0 ] && [[ "${1:-}" =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
if [ $# -gt 0 ]; then targets=("$@"); else targets=(ingest_parquet ingest_dbn slicing); fi
# The smoke run's fixed libFuzzer seed and executions per target (seed inputs replayed included).
SMOKE_SEED=1
declare -A SMOKE_RUNS=([ingest_parquet]=6000 [ingest_dbn]=10000 [slicing]=1000000)
SLOW_SECONDS=2
HANG_SECONDS=120
# Its own target dir outside the clone: everything (polars too) is built with coverage instrumentation.
target_dir="${FERROBT_FUZZ_TARGET_DIR:-$HOME/.cache/ferrobt/fuzz-target}"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2 >/dev/null 2>&1 || { echo "could not install cargo-fuzz"; exit 1; }
fi
cargo fuzz build --sanitizer none --target-dir "$target_dir" || exit 1
mkdir -p out/fuzz

# Seeds for ingest_parquet's whole-file mode, copied into folder $1 (generated files go to $2): the small
# files the bad-input corpus script writes (hyparquet's v2 data pages, odd values, other schemas;
# deterministic) and the committed pyarrow fixtures (every codec, page index, checksums, a nested column).
ingest_seeds() {
  local into=$1 generated=$2
  mkdir -p "$into"
  node --import tsx __test__/fixtures/make-bad.ts "$generated" >/dev/null || return 1
  for f in "$generated"/*.parquet __test__/fixtures/writers/*.parquet; do
    if [ -f "$f" ] && [ -r "$f" ] && [ "$(stat -c %s "$f")" -le 65536 ] && [ "$(head -c 4 "$f")" = PAR1 ]; then
      cp "$f" "$into/seed-$(basename "$f")"
    fi
  done
}

# Smoke runs work in a folder of their own (two runs at once do not mix); it is removed after a clean run.
if [ $smoke = 1 ]; then work=$(mktemp -d out/fuzz/smoke.XXXXXX); fi
# Deterministic process for the smoke run: no address randomisation (pointer values reach libFuzzer's
# comparison tracing), polars on one thread, no periodic corpus reload.
no_aslr=()
if setarch "$(uname -m)" -R true 2>/dev/null; then no_aslr=(setarch "$(uname -m)" -R); fi

# Runs one target into log $2 with artifacts under $3. Smoke: new inputs go to a fresh folder and the
# seeds are replayed from another, so the run never depends on an earlier one. Returns 2 when seeding fails.
run_target() {
  local target=$1 log=$2 artifacts=$3
  local flags=(-artifact_prefix="$artifacts/" -timeout="$HANG_SECONDS" -report_slow_units="$SLOW_SECONDS"
    -rss_limit_mb=4096 -print_final_stats=1)
  if [ $smoke = 1 ]; then
    local fresh=$work/corpus-$target seeds=$work/seeds-$target
    mkdir -p "$fresh" "$seeds"
    if [ "$target" = ingest_parquet ]; then ingest_seeds "$seeds" "$work/generated" || return 2; fi
    POLARS_MAX_THREADS=1 "${no_aslr[@]}" "$target_dir/x86_64-unknown-linux-gnu/release/$target" "$fresh" "$seeds" \
      -seed="$SMOKE_SEED" -runs="${SMOKE_RUNS[$target]}" -reload=0 "${flags[@]}" > "$log" 2>&1
  else
    local corpus=fuzz/corpus/$target
    mkdir -p "$corpus"
    if [ "$target" = ingest_parquet ] && ! ls "$corpus"/seed-* >/dev/null 2>&1; then
      ingest_seeds "$corpus" out/fuzz/seeds || return 2
    fi
    "$target_dir/x86_64-unknown-linux-gnu/release/$target" "$corpus" -max_total_time="$seconds" "${flags[@]}" > "$log" 2>&1
  fi
}

status=0
for target in "${targets[@]}"; do
  if [ $smoke = 1 ]; then artifacts=$work/artifacts-$target log=$work/$target.log
  else artifacts=fuzz/artifacts/$target log=out/fuzz/$target.log; fi
  mkdir -p "$artifacts"
  started=$(date +%s)
  run_target "$target" "$log" "$artifacts"
  rc=$?
  elapsed=$(( $(date +%s) - started ))
  if [ $rc = 2 ]; then echo "fuzz $target: could not generate the ingest seeds"; status=1; continue; fi
  runs=$(grep -aEo 'stat::number_of_executed_units: [0-9]+' "$log" | awk '{print $2}')
  slowest=$(grep -aEo 'stat::slowest_unit_time_sec: +[0-9]+|Slowest unit: [0-9]+' "$log" | grep -Eo '[0-9]+$' | sort -n | tail -1)
  coverage=$(grep -aEo 'DONE +cov: [0-9]+ ft: [0-9]+' "$log" | awk '{print "cov " $3 ", ft " $5}')
  slow=$(grep -aEo "Test unit written to [^ ]*slow-unit-[^ ]*" "$log" | wc -l)
  findings=$(grep -aEo "Test unit written to [^ ]+" "$log" | awk '{print $5}' | grep -v '/slow-unit-' | tr '\n' ' ' | sed 's/ $//')
  if [ $smoke = 1 ]; then how="seed $SMOKE_SEED, $(find "$work/seeds-$target" -type f | wc -l) seed inputs replayed"
  else how="corpus $(find "fuzz/corpus/$target" -type f | wc -l) inputs"; fi
  if [ -z "$findings" ] && { [ $rc -ne 0 ] || [ -z "$runs" ]; }; then findings="libFuzzer exited with status $rc (see $log)"; fi
  echo "fuzz $target: ${runs:-0} executions ($how) in ${elapsed} s, ${coverage:-no coverage figure}, slow units (>= ${SLOW_SECONDS} s) ${slow}, slowest ${slowest:-0} s, findings: ${findings:-none}"
  if [ -n "$findings" ]; then status=1; tail -30 "$log"; fi
  if [ $smoke = 1 ]; then cp "$log" "out/fuzz/$target-smoke.log"; fi
done
if [ $smoke = 1 ] && [ $status = 0 ]; then rm -rf "$work"; fi
exit $status
