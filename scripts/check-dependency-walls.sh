#!/usr/bin/env bash
# The dependency-wall check (ARCHITECTURE.md "Dependency rule", issues 3 and 9): the
# production dependency trees of @shellgate/gateway, @shellgate/cli and @shellgate/api hold no
# driver package, no @shellgate/container-engine and no engine client; no driver package (nor
# container-engine) holds another driver package; and bundles of the gateway, cli and api hold
# no engine-client strings and no container-engine marker.
# Arguments pass through: `grep FILE` checks one file only (used by e2e/src/walls).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/check-dependency-walls.mjs "$@"
