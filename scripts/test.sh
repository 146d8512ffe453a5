#!/usr/bin/env bash
# The one test command: installs dependencies, builds, lints, checks the wire contracts
# and the generated code, then runs every unit, integration and e2e test with node's
# test runner. The last line is the plain summary "N passed, N failed, N skipped" that CI
# reads, printed after the engines are cleaned up.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== build"; pnpm run -s build
echo "== lint"; pnpm run -s lint
echo "== dependency walls"; bash scripts/check-dependency-walls.sh
echo "== check-wire"; bash scripts/check-wire.sh
echo "== generated code is current"; bash scripts/check-generated.sh
echo "== docker engine"
# A run label for everything the e2e suites create; the trap sweeps it and stops the engine
# only if scripts/engines/docker.sh started it (STYLE.md rule 20).
export SHELLGATE_E2E_RUN="run-$(date +%s)-$$"
cleanup_engines() {
  bash scripts/engines/docker.sh sweep "$SHELLGATE_E2E_RUN" || true
  bash scripts/engines/docker.sh stop || true
}
trap cleanup_engines EXIT
bash scripts/engines/docker.sh start
echo "== tests"
mapfile -t test_files < <(find packages/*/dist e2e/dist -name '*.test.js' 2>/dev/null | sort)
if [ "${#test_files[@]}" -eq 0 ]; then echo "no test files found after build" >&2; exit 1; fi
test_log=$(mktemp)
set +e
node --test --test-concurrency=2 --test-reporter=spec "${test_files[@]}" 2>&1 | tee "$test_log"
test_status=${PIPESTATUS[0]}
set -e
trap - EXIT
cleanup_engines
count() { grep -E "^ℹ $1 [0-9]+$" "$test_log" | tail -1 | awk '{print $3}'; }
passed=$(count pass); failed=$(count fail); skipped=$(count skipped); cancelled=$(count cancelled)
rm -f "$test_log"
# A cancelled test did not pass: count it as failed. A skipped suite fails the run (STYLE.md rule 20).
failed=$(( ${failed:-0} + ${cancelled:-0} ))
if [ "${skipped:-0}" -ne 0 ]; then echo "skipped tests fail the run" >&2; test_status=1; fi
echo "${passed:-0} passed, ${failed} failed, ${skipped:-0} skipped"
exit "$test_status"
