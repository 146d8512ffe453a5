#!/usr/bin/env bash
# Our .proto files must stay wire-identical to the pinned OpenShell contracts.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHELLGATE_SHARED_DIR:-../shared}
if [ ! -x "$shared/contract/check-wire" ]; then
  echo "check-wire: $shared/contract/check-wire not found; clone this repo beside shared/ or set SHELLGATE_SHARED_DIR" >&2
  exit 1
fi
# Exactly the documented form, from the repo root: check-wire cds into its argument and
# passes that same relative path to protoc -I, which is why the files live in proto/proto/.
"$shared/contract/check-wire" proto
