#!/usr/bin/env bash
# Builds the supervisor runtime image the Kubernetes driver's init container copies from
# (packages/driver-k8s/README.md, "The runtime image"), locally: no registry, no base image.
#
#   build-runtime-image.sh [--tag REF] [--bundle-dir DIR] [--archive FILE]
#
# It runs `shellgate-supervisor-bundle --out DIR` (the installed @shellgate/supervisor), lays
# out a root file system with the bundle at /opt/shellgate/runtime and a static busybox at
# /bin/busybox (the init container's shell: Debian's busybox-static), and imports it into the
# local Docker engine with `docker import` as REF (default shellgate/supervisor-runtime:<supervisor
# version>, the driver's default supervisor_runtime_image). --archive also writes `docker save`
# output, for a cluster runtime to import. Load it into a cluster node with its own tool, e.g.
# `scripts/engines/k8s.sh load-image REF`. Point the driver's supervisor_runtime_dir at
# --bundle-dir so the driver reads the manifest of exactly this bundle.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TAG="" BUNDLE_DIR="" ARCHIVE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) TAG=$2; shift 2 ;;
    --bundle-dir) BUNDLE_DIR=$2; shift 2 ;;
    --archive) ARCHIVE=$2; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-runtime-image.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
# The bundler is found the way the drivers find it (@shellgate/supervisor resolved from this
# package, its bin run with node), not through node_modules/.bin: a workspace install links bins
# before they are built, so that link can be missing.
# shellcheck disable=SC2016 # the script is node's
BUNDLER_MAIN=$(node -e '
  const { dirname, join } = require("node:path");
  const manifestPath = require.resolve("@shellgate/supervisor/package.json", { paths: [process.argv[1]] });
  process.stdout.write(join(dirname(manifestPath), require(manifestPath).bin["shellgate-supervisor-bundle"]));
' "$HERE/.." 2>/dev/null || true)
if [ -n "$BUNDLER_MAIN" ] && [ -f "$BUNDLER_MAIN" ]; then
  BUNDLER=(node "$BUNDLER_MAIN")
elif command -v shellgate-supervisor-bundle >/dev/null; then
  BUNDLER=(shellgate-supervisor-bundle)
else
  echo "build-runtime-image.sh: shellgate-supervisor-bundle not found: install @shellgate/supervisor beside @shellgate/driver-k8s (and build it, in a workspace)" >&2
  exit 1
fi
# Static: the image has no libc of its own (ldd, which the bundler needs too, says so).
BUSYBOX=$(command -v busybox || true)
if [ -z "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
  echo "build-runtime-image.sh: no static busybox found (apt-get install busybox-static)" >&2
  exit 1
fi
command -v docker >/dev/null || { echo "build-runtime-image.sh: docker not found (the image is imported into the local Docker engine)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BUNDLE_DIR=${BUNDLE_DIR:-$WORK/bundle}
"${BUNDLER[@]}" --out "$BUNDLE_DIR" >/dev/null
VERSION=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).supervisorVersion)' "$BUNDLE_DIR/manifest.json")
TAG=${TAG:-shellgate/supervisor-runtime:$VERSION}

ROOTFS=$WORK/rootfs
mkdir -p "$ROOTFS/opt/shellgate" "$ROOTFS/bin"
cp -a "$BUNDLE_DIR" "$ROOTFS/opt/shellgate/runtime"
cp "$BUSYBOX" "$ROOTFS/bin/busybox"
chmod 0755 "$ROOTFS/bin/busybox"
PREVIOUS=$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$ROOTFS" -c . |
  docker import --change 'CMD ["/bin/busybox", "ls", "/opt/shellgate/runtime"]' - "$TAG" >/dev/null
# A rebuild moves the tag; the image it left behind is removed, so rebuilds do not pile up.
if [ -n "$PREVIOUS" ] && [ "$PREVIOUS" != "$(docker image inspect -f '{{.Id}}' "$TAG")" ]; then
  docker image rm "$PREVIOUS" >/dev/null 2>&1 || true
fi
[ -z "$ARCHIVE" ] || docker save -o "$ARCHIVE" "$TAG"
echo "$TAG"
