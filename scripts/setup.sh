#!/usr/bin/env bash
# Idempotent machine and workspace setup: pnpm (pinned by package.json#packageManager),
# protoc for code generation and check-wire, then the workspace dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  echo "setup: installing pnpm $pnpm_version"
  npm install -g --silent "pnpm@$pnpm_version"
fi
if ! command -v protoc >/dev/null || ! /usr/bin/python3 -c 'import google.protobuf' 2>/dev/null; then
  echo "setup: installing protoc and python3-protobuf from Debian"
  apt-get install -y -q protobuf-compiler libprotobuf-dev python3-protobuf >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q protobuf-compiler libprotobuf-dev python3-protobuf >/dev/null; }
fi
pnpm install --frozen-lockfile --reporter=silent
