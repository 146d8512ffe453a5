#!/usr/bin/env bash
# Sets up, builds and runs the gateway in the foreground with the embedded SQLite store
# under .state/ and the Docker driver as the default driver. Installs and starts dockerd
# if needed (and builds the local test image; no registry is reachable on these machines),
# and builds the supervisor runtime bundle the driver mounts into every sandbox.
# Extra arguments go to shellgate-gateway. Ctrl-C stops the gateway, its driver, and the
# dockerd this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "start: building"
pnpm run -s build
bash scripts/engines/docker.sh start
trap 'bash scripts/engines/docker.sh stop || true' EXIT
state_dir="$PWD/.state"
mkdir -p "$state_dir" && chmod 700 "$state_dir"
config="$state_dir/gateway.toml"
if [ ! -f "$config" ]; then
  cat > "$config" <<TOML
# Written by scripts/start.sh; edit freely, it is not overwritten.
state_dir = "$state_dir"

# The built-in Docker driver (@shellgate/driver-docker, found in this workspace).
[drivers.docker]
default_image = "shellgate-test/busybox:1"
state_dir = "$state_dir/driver-docker"
# Every sandbox runs the supervisor as its entrypoint, from a runtime bundle (Node, its
# libraries, the supervisor) the driver builds at its first start into its state_dir and
# mounts read-only; a sandbox is Ready once its supervisor has dialed the gateway.
TOML
  echo "start: wrote $config"
fi
echo "start: running shellgate-gateway on 127.0.0.1:17670 (Ctrl-C stops it)"
node packages/gateway/dist/main.js --config "$config" "$@"
