#!/usr/bin/env bash
# Builds grpcurl (pinned) from Go modules into a cache outside the repository, once, and
# prints its path. Used by e2e/src/interop/grpc-tooling.test.ts; needs `go` on PATH.
#   GRPCURL_GOBIN   where the binary goes (default /var/cache/shellgate/go/bin)
set -euo pipefail

VERSION=v1.9.3
GOBIN_DIR=${GRPCURL_GOBIN:-/var/cache/shellgate/go/bin}
BIN="$GOBIN_DIR/grpcurl-$VERSION"

if [[ ! -x "$BIN" ]]; then
  command -v go >/dev/null || { echo "grpcurl.sh: go is not on PATH (install Go 1.21+)" >&2; exit 1; }
  mkdir -p "$GOBIN_DIR"
  # go install names the binary after the command; build in a private dir, then rename, so a
  # half-written binary is never taken for a finished one.
  tmp=$(mktemp -d "$GOBIN_DIR/.grpcurl.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  GOBIN="$tmp" GOFLAGS=-mod=mod go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$VERSION" >&2
  mv "$tmp/grpcurl" "$BIN"
fi
echo "$BIN"
