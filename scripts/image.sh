#!/usr/bin/env bash
# Builds an OCI image of the gateway with exactly the given drivers, without any registry,
# into the local Docker engine (issue 14; docs/packaging.md "A container image per driver set").
#   scripts/image.sh --drivers docker [--tag shellgate-local/gateway:docker] [--packages DIR]
# Needs a build (pnpm run -s build), npm, ldd, tar and docker.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/image.mjs "$@"
