#!/usr/bin/env bash
# Regenerates the ts-proto output and fails when it differs from what is checked in.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/generate-proto.mjs >/dev/null
if ! git diff --quiet --exit-code -- packages/*/src/gen packages/*/src/session-gen || [ -n "$(git status --porcelain -- packages/*/src/gen packages/*/src/session-gen)" ]; then
  echo "generated code is stale: run 'pnpm generate' and commit the result" >&2
  git status --short -- packages/*/src/gen packages/*/src/session-gen >&2
  exit 1
fi
echo "generated code: current"
