#!/usr/bin/env bash
# Sets up, builds and runs the gateway in the foreground with the embedded SQLite store
# under .state/ and the default driver. Extra arguments go to shellgate-gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "start: building"
pnpm run -s build
state_dir="$PWD/.state"
mkdir -p "$state_dir" && chmod 700 "$state_dir"
config="$state_dir/gateway.toml"
if [ ! -f "$config" ]; then
  fake_driver="$PWD/packages/driver-sdk/dist/fake-driver/main.js"
  cat > "$config" <<TOML
# Written by scripts/start.sh; edit freely, it is not overwritten.
state_dir = "$state_dir"

# The SDK's fake driver keeps sandboxes in memory (persisted to a JSON file) and runs no
# supervisor, so backend Ready counts as Ready.
[drivers.fake]
command = ["$(command -v node)", "$fake_driver"]
requires_supervisor = false
state_file = "$state_dir/fake-driver-state.json"
TOML
  echo "start: wrote $config"
fi
echo "start: running shellgate-gateway (Ctrl-C stops it)"
exec node packages/gateway/dist/main.js --config "$config" "$@"
