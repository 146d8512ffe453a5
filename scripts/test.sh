#!/usr/bin/env bash
# The one test command: installs dependencies, builds, lints, checks the wire contracts
# and the generated code, then runs every unit, integration and e2e test with node's
# test runner, whose closing summary ("# pass N", "# fail N") CI reads.
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
trap 'bash scripts/engines/docker.sh sweep "$SHELLGATE_E2E_RUN" || true; bash scripts/engines/docker.sh stop || true' EXIT
bash scripts/engines/docker.sh start
echo "== tests"
mapfile -t test_files < <(find packages/*/dist e2e/dist -name '*.test.js' 2>/dev/null | sort)
if [ "${#test_files[@]}" -eq 0 ]; then echo "no test files found after build" >&2; exit 1; fi
node --test --test-concurrency=2 --test-reporter=spec "${test_files[@]}"
