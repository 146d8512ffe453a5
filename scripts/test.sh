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
echo "== docker and podman engines"
# A run label for everything the e2e suites create; the trap sweeps it and stops each engine
# only if its script started it (STYLE.md rule 20).
export SHELLGATE_E2E_RUN="run-$(date +%s)-$$"
cleanup_engines() {
  bash scripts/engines/vm.sh sweep "$SHELLGATE_E2E_RUN" || true
  bash scripts/engines/docker.sh sweep "$SHELLGATE_E2E_RUN" || true
  bash scripts/engines/podman.sh sweep "$SHELLGATE_E2E_RUN" || true
  bash scripts/engines/docker.sh stop || true
  bash scripts/engines/podman.sh stop || true
  bash scripts/engines/postgres.sh stop || true
  bash scripts/engines/k8s.sh sweep "$SHELLGATE_E2E_RUN" || true
  bash scripts/engines/k8s.sh stop || true
}
trap cleanup_engines EXIT
bash scripts/engines/docker.sh start
bash scripts/engines/podman.sh start
echo "== postgres"
# The store contract suite and the replica e2e run against it, each in a database of its own.
bash scripts/engines/postgres.sh start
eval "$(bash scripts/engines/postgres.sh env)"
echo "== kubernetes engine"
# After docker: the supervisor runtime image is built in the Docker engine and loaded into the
# cluster. The first start on a machine builds Kubernetes from its Go modules (~15 minutes on 2
# cores), cached by version outside the repository.
bash scripts/engines/k8s.sh start
echo "== qemu engine"
# After docker: the VM cache packs the test image the Docker engine holds.
bash scripts/engines/vm.sh start
echo "== tests"
# Every test file runs under a time bound, and a file that hits it fails naming the tests it
# was still running (scripts/hung-test-reporter.mjs): node 20 applies --test-timeout to a
# whole file, not to each test. Unit and fake-driver files take seconds (25 s at most on a
# loaded 2-core machine); each engine e2e file runs every suite of its engine in turn, the
# conformance kit alone bounded at 10 minutes, so they run after them with their own bound.
FILE_TIMEOUT_MS=300000
ENGINE_FILE_TIMEOUT_MS=1800000
# Files that drive an engine (e2e/dist/docker, e2e/dist/podman, e2e/dist/hostile/*docker*,
# e2e/dist/interop/*docker*, e2e/dist/packaging, which installs every driver set and runs a
# sandbox, e2e/dist/vm, e2e/dist/k8s and e2e/dist/replicas) run one at a time: the Docker suite
# restarts dockerd at its end, the Podman suite its API service, the Kubernetes suite its API
# server and the replica suite Postgres, which must not pull an engine from under another file,
# and QEMU micro-VMs on 2 cores must not compete with another file.
is_engine_file() {
  [[ $1 == e2e/dist/docker/* || $1 == e2e/dist/podman/* || $1 == e2e/dist/hostile/*docker* || $1 == e2e/dist/interop/*docker* ||
    $1 == e2e/dist/packaging/* || $1 == e2e/dist/vm/* || $1 == e2e/dist/k8s/* || $1 == e2e/dist/replicas/* ]]
}
files=(); engine_files=()
while IFS= read -r file; do
  if is_engine_file "$file"; then engine_files+=("$file"); else files+=("$file"); fi
done < <(find packages/*/dist e2e/dist -name '*.test.js' 2>/dev/null | sort)
if [ "${#files[@]}" -eq 0 ] || [ "${#engine_files[@]}" -eq 0 ]; then echo "no test files found after build" >&2; exit 1; fi
test_log=$(mktemp)
run_tests() {
  local timeout_ms=$1 concurrency=$2; shift 2
  node --test --test-concurrency="$concurrency" --test-timeout="$timeout_ms" \
    --test-reporter=./scripts/hung-test-reporter.mjs "$@" 2>&1 | tee -a "$test_log"
  return "${PIPESTATUS[0]}"
}
test_status=0
set +e
run_tests "$FILE_TIMEOUT_MS" 2 "${files[@]}" || test_status=1
run_tests "$ENGINE_FILE_TIMEOUT_MS" 1 "${engine_files[@]}" || test_status=1
set -e
trap - EXIT
cleanup_engines
# Each run ends with its own counts; the summary adds them up.
count() { grep -E "^ℹ $1 [0-9]+$" "$test_log" | awk '{sum += $3} END {print sum + 0}'; }
passed=$(count pass); failed=$(count fail); skipped=$(count skipped); cancelled=$(count cancelled)
rm -f "$test_log"
# A cancelled test (a file killed at its time bound, too) did not pass: count it as failed.
# A skipped suite fails the run (STYLE.md rule 20).
failed=$(( failed + cancelled ))
if [ "$skipped" -ne 0 ]; then echo "skipped tests fail the run" >&2; test_status=1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$test_status"
