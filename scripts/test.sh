#!/usr/bin/env bash
# The test tiers. `npm test` (no argument): build (incremental), dev-profile cargo test, type check, vitest
# without the three slow files. `npm run test:full` (--full): all of that plus the cargo-fuzz smoke run, the
# packed-install test, the Chromium report test, the memory soak test and the bench smoke run.
# Ends with one plain line "N passed, N failed": N passed counts tests (cargo, vitest, one per fuzz
# target); a failed step that is not a test (build, type check, bench smoke) counts as one failure.
# Exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ferrobt/target}"
full=0
case "${1:-}" in
  "") ;;
  --full) full=1 ;;
  *) echo "usage: scripts/test.sh [--full]"; exit 2 ;;
esac
mkdir -p out
rm -f out/cargo-test.log out/fuzz-smoke.log out/vitest-results.json out/bench-smoke.log
passed=0 failed=0 summary=()
step_failed() { failed=$((failed + 1)); summary+=("$1: FAILED"); }
elapsed() { echo "$(( $(date +%s) - $1 )) s"; }

# The addon and dist the tests load (the CLI test runs dist/): incremental, seconds when nothing changed.
t=$(date +%s)
if npm run --silent build > out/build.log 2>&1; then summary+=("build: ok ($(elapsed "$t"))"); else tail -30 out/build.log; step_failed build; fi

t=$(date +%s)
npm run --silent test:rust 2>&1 | tee out/cargo-test.log
rust_rc=${PIPESTATUS[0]}
rust_passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' out/cargo-test.log | awk '{s+=$4} END {print s+0}')
rust_failed=$(grep -Eo '[0-9]+ failed;' out/cargo-test.log | awk '{s+=$1} END {print s+0}')
# A build error or a crashed test binary fails without a "failed" count of its own.
if [ "$rust_rc" -ne 0 ] && [ "$rust_failed" -eq 0 ]; then rust_failed=1; fi
passed=$((passed + rust_passed)); failed=$((failed + rust_failed))
summary+=("cargo test: ${rust_passed} passed, ${rust_failed} failed ($(elapsed "$t"))")

if [ "$full" = 1 ]; then
  t=$(date +%s)
  bash scripts/fuzz.sh --smoke 2>&1 | tee out/fuzz-smoke.log | grep '^fuzz '
  fuzz_rc=${PIPESTATUS[0]}
  fuzz_passed=$(grep -c '^fuzz .*findings: none$' out/fuzz-smoke.log)
  fuzz_failed=$(( $(grep -c '^fuzz ' out/fuzz-smoke.log) - fuzz_passed ))
  if [ "$fuzz_rc" -ne 0 ] && [ "$fuzz_failed" -eq 0 ]; then fuzz_failed=1; tail -30 out/fuzz-smoke.log; fi
  passed=$((passed + fuzz_passed)); failed=$((failed + fuzz_failed))
  summary+=("cargo-fuzz smoke: ${fuzz_passed} passed, ${fuzz_failed} failed ($(elapsed "$t"))")
fi

# vitest does not type-check: tsc over sources, tests, benches, examples and the report's browser script.
t=$(date +%s)
if npx tsc -p tsconfig.check.json; then summary+=("type check: ok ($(elapsed "$t"))"); else step_failed "type check"; fi

t=$(date +%s)
vitest_args=(run)
# The quick tier leaves out the packed install, the browsers and the memory soak run (each a minute or more).
[ "$full" = 1 ] || vitest_args+=(--exclude __test__/package.test.ts --exclude __test__/report-browser.test.ts --exclude __test__/research/pages-browser.test.ts --exclude __test__/memory.test.ts)
npx vitest "${vitest_args[@]}"
vitest_rc=$?
read -r js_passed js_failed js_skipped < <(node -e '
  try {
    const r = require("./out/vitest-results.json");
    // A file that fails to load has no failed test of its own: count it as one failure.
    const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
    console.log(r.numPassedTests, r.numFailedTests + broken, r.numPendingTests + r.numTodoTests);
  } catch { console.log("0 1 0"); }')
# Errors outside any test (unhandled rejections) fail vitest without a failed test.
if [ "$vitest_rc" -ne 0 ] && [ "$js_failed" -eq 0 ]; then js_failed=1; fi
passed=$((passed + js_passed)); failed=$((failed + js_failed))
summary+=("vitest: ${js_passed} passed, ${js_failed} failed, ${js_skipped} skipped ($(elapsed "$t"))")

if [ "$full" = 1 ]; then
  # Benchmark smoke run (quick mode): reports numbers, asserts none; only its failure counts.
  t=$(date +%s)
  if npm run --silent bench -- --quick > out/bench-smoke.log 2>&1; then summary+=("bench smoke: ok ($(elapsed "$t"))"); else tail -20 out/bench-smoke.log; step_failed "bench smoke"; fi
fi

printf '%s\n' "${summary[@]}"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
