#!/usr/bin/env bash
# Builds upstream OpenShell's own Docker compute driver (`openshell-driver-docker`) from its
# source at the commit our pinned contract matches, once, into a cache outside the repository,
# and prints the binary's path. Used to run our conformance kit against upstream's driver
# (scripts/tools/upstream-kit.sh, docs/interop.md). Needs cargo with Rust 1.95 (upstream's
# rust-toolchain.toml) and protoc; the first build compiles ~220 crates (4 min on a busy 2-core
# machine at opt-level 0), later calls only print the path.
#   UPSTREAM_OPENSHELL_GIT    a bare git dir or URL of NVIDIA/OpenShell
#                             (default: /work/.mirror/NVIDIA+OpenShell/repo if present, else GitHub)
#   UPSTREAM_OPENSHELL_CACHE  source, cargo target and binaries (default /var/cache/shellgate/upstream-openshell)
#   CARGO_BUILD_JOBS          cargo's parallelism (default 1: the build runs beside other work, niced)
set -euo pipefail

# Upstream main of 2026-08-21 (v0.0.111 + 7): its proto/compute_driver.proto gives exactly
# ../shared/contract/compute_driver.wire.txt (check-wire's table), as ours does.
COMMIT=2f7fb65591ee5746217ace154afc0aa6bf1afc6d
CACHE=${UPSTREAM_OPENSHELL_CACHE:-/var/cache/shellgate/upstream-openshell}
MIRROR=/work/.mirror/NVIDIA+OpenShell/repo
GIT_SOURCE=${UPSTREAM_OPENSHELL_GIT:-$([[ -d $MIRROR ]] && echo "$MIRROR" || echo https://github.com/NVIDIA/OpenShell.git)}
BIN="$CACHE/bin/openshell-driver-docker-${COMMIT:0:12}"
SRC="$CACHE/src"

if [[ ! -x "$BIN" ]]; then
  cargo=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")
  [[ -x "$cargo" ]] || { echo "upstream-driver.sh: cargo is not installed (https://rustup.rs, Rust 1.95)" >&2; exit 1; }
  command -v protoc >/dev/null || { echo "upstream-driver.sh: protoc is not on PATH (Debian: protobuf-compiler)" >&2; exit 1; }
  mkdir -p "$CACHE/bin"
  # The source tree is reused while it holds COMMIT, so cargo's incremental state stays valid.
  if [[ "$(cat "$SRC/.commit" 2>/dev/null)" != "$COMMIT" ]]; then
    rm -rf "$SRC"
    mkdir -p "$SRC"
    if [[ -d "$GIT_SOURCE" ]]; then
      git --git-dir="$GIT_SOURCE" archive "$COMMIT" | tar -x -C "$SRC"
    else
      fetched=$(mktemp -d "$CACHE/.fetch.XXXXXX")
      git -C "$fetched" init -q
      git -C "$fetched" fetch -q --depth 1 "$GIT_SOURCE" "$COMMIT"
      git -C "$fetched" archive FETCH_HEAD | tar -x -C "$SRC"
      rm -rf "$fetched"
    fi
    echo "$COMMIT" > "$SRC/.commit"
  fi
  echo "upstream-driver.sh: building openshell-driver-docker at ${COMMIT:0:12} (cached in $CACHE)" >&2
  # opt-level 0: the binary is a test subject, and an unoptimised build takes half the time.
  (cd "$SRC" && CARGO_TARGET_DIR="$CACHE/target" CARGO_PROFILE_RELEASE_OPT_LEVEL=0 nice -n 19 "$cargo" build -j "${CARGO_BUILD_JOBS:-1}" --release --locked \
    -p openshell-driver-docker --bin openshell-driver-docker) >&2
  # Copy then rename, so a half-written binary is never taken for a finished one.
  cp "$CACHE/target/release/openshell-driver-docker" "$BIN.tmp"
  mv "$BIN.tmp" "$BIN"
fi
echo "$BIN"
