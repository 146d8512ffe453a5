#!/usr/bin/env bash
# The dependency-wall check (ARCHITECTURE.md "Dependency rule", issue 3): the production
# dependency trees of @shellgate/gateway, @shellgate/cli and @shellgate/api hold no driver
# package or engine client, and a bundle of the gateway holds no engine-client strings.
# Arguments pass through: `grep FILE` checks one file only (used by e2e/src/walls).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/check-dependency-walls.mjs "$@"
