#!/usr/bin/env bash
# Packs every publishable package (pnpm pack, workspace versions rewritten) into .packages/
# (or --out DIR), installs each driver combination from the tarballs with plain npm into its
# own empty prefix, checks nothing of an omitted driver is there, writes a CycloneDX SBOM per
# combination beside the tarballs and prints the footprint table (issue 14; docs/packaging.md).
#   scripts/package.sh                       everything, into .packages/
#   scripts/package.sh --no-install          check file lists and pack only
#   scripts/package.sh --only gateway,docker --jobs 2 --out DIR --doc docs/packaging.md
# Needs a build (pnpm run -s build) and npm; the installs need no pnpm.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/package.mjs "$@"
