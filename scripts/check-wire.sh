#!/usr/bin/env bash
# Our .proto files must stay wire-identical to the pinned OpenShell contracts.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHELLGATE_SHARED_DIR:-../shared}
if [ ! -x "$shared/contract/check-wire" ]; then
  echo "check-wire: $shared/contract/check-wire not found; clone this repo beside shared/ or set SHELLGATE_SHARED_DIR" >&2
  exit 1
fi
# Exactly the documented form, from the repo root: proto/ holds the files and is their import root.
"$shared/contract/check-wire" proto
