#!/usr/bin/env bash
# Runs every test suite (cargo, a cargo-fuzz smoke run, a type check, vitest, a bench smoke run) and ends with one plain line: "N passed, N failed".
# Exits non-zero if any test failed or a suite could not run.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ferrobt/target}"
mkdir -p out
status=0

# The report test drives Debian's headless Chromium; install it when missing and we may.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 || echo "could not install chromium; the report test will fail"
fi

npm run --silent test:rust 2>&1 | tee out/cargo-test.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
rust_passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' out/cargo-test.log | awk '{s+=$4} END {print s+0}')
rust_failed=$(grep -Eo '[0-9]+ failed;' out/cargo-test.log | awk '{s+=$1} END {print s+0}')

# cargo-fuzz smoke run: builds both libFuzzer targets and runs each for 20 s; one test per target.
bash scripts/fuzz.sh 20 2>&1 | tee out/fuzz-smoke.log | grep '^fuzz '
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fuzz_passed=$(grep -c '^fuzz .*findings: none$' out/fuzz-smoke.log)
fuzz_failed=$((2 - fuzz_passed))

# Type check of sources, tests, benches and examples (vitest does not type-check): counted as one test.
if npx tsc -p tsconfig.check.json; then tsc_passed=1; tsc_failed=0; else tsc_passed=0; tsc_failed=1; status=1; fi

npx vitest run
[ $? -eq 0 ] || status=1
read -r js_passed js_failed < <(node -e '
  try {
    const r = require("./out/vitest-results.json");
    // A file that fails to load has no failed test of its own: count it as one failure.
    const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
    console.log(r.numPassedTests, r.numFailedTests + broken);
  } catch { console.log("0 1"); }')

# Benchmark smoke run (quick mode): reports numbers, asserts none; counted as one test so benches cannot rot.
if npm run --silent bench -- --quick > out/bench-smoke.log 2>&1; then bench_passed=1; bench_failed=0; else bench_passed=0; bench_failed=1; status=1; tail -20 out/bench-smoke.log; fi

passed=$((rust_passed + fuzz_passed + tsc_passed + js_passed + bench_passed))
failed=$((rust_failed + fuzz_failed + tsc_failed + js_failed + bench_failed))
echo "rust: ${rust_passed} passed, ${rust_failed} failed; cargo-fuzz: ${fuzz_passed} passed, ${fuzz_failed} failed; tsc: ${tsc_passed} passed, ${tsc_failed} failed; vitest: ${js_passed} passed, ${js_failed} failed; bench smoke: ${bench_passed} passed, ${bench_failed} failed"
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then status=1; fi
echo "${passed} passed, ${failed} failed"
exit $status
