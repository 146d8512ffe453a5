#!/usr/bin/env bash
# Runs our conformance kit (shellgate-driver-conformance) against upstream OpenShell's own
# Docker driver binary (built by scripts/tools/upstream-driver.sh) on this machine's dockerd,
# with the local test image and no registry, the restart scenario included. Prints the kit's
# report and exits with the kit's status. Everything it makes (a private network, the
# containers of its own sandbox namespace, a temp dir) is removed at the end.
#   usage: scripts/tools/upstream-kit.sh [KIT OPTION...]   (e.g. --only stop-start-idempotent)
#   UPSTREAM_KIT_IMAGE   sandbox image, already local (default shellgate-test/busybox:1, which
#                        scripts/engines/docker.sh start imports)
# Needs a built workspace (pnpm run build), gcc with a static libc, and the Docker socket at
# /var/run/docker.sock.
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${UPSTREAM_KIT_IMAGE:-shellgate-test/busybox:1}
KIT=packages/driver-sdk/dist/conformance/main.js
[[ -f "$KIT" ]] || { echo "upstream-kit.sh: $KIT is missing; run pnpm run build" >&2; exit 1; }
docker image inspect "$IMAGE" >/dev/null 2>&1 ||
  { echo "upstream-kit.sh: image $IMAGE is not local (bash scripts/engines/docker.sh start imports it)" >&2; exit 1; }
bin=$(bash scripts/tools/upstream-driver.sh)

tag="sg-upstream-kit-$$"
dir=$(mktemp -d)
cleanup() {
  if [[ -f "$dir/driver.pid" ]]; then
    pid=$(cat "$dir/driver.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  # The kit deletes its sandboxes; this catches any it could not (the driver labels them
  # with our private namespace).
  docker ps -aq --filter "label=openshell.ai/sandbox-namespace=$tag" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker network rm "$tag" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

# Upstream mounts its supervisor (openshell-sandbox) as every container's entrypoint and
# refuses a file that is not ELF. The kit checks the driver, not the supervisor, so a static
# stand-in that keeps the container running and ends on SIGTERM (as the real one does) is
# enough, and no supervisor image needs pulling.
cat > "$dir/supervisor.c" <<'EOF'
#include <signal.h>
#include <unistd.h>
static void stop(int sig) { (void)sig; _exit(0); }
int main(void) { signal(SIGTERM, stop); signal(SIGINT, stop); for (;;) pause(); }
EOF
gcc -static -O2 -o "$dir/supervisor" "$dir/supervisor.c"
chmod 755 "$dir"

cat > "$dir/driver.toml" <<EOF
socket_path = "/var/run/docker.sock"
default_image = "$IMAGE"
image_pull_policy = "Never"
sandbox_namespace = "$tag"
network_name = "$tag"
supervisor_bin = "$dir/supervisor"
EOF

# Upstream leaves id and name validation to its gateway's API; everything else is claimed.
cat > "$dir/claims.toml" <<'EOF'
validates_ids_and_names = false
ready_within_ms = 20000
EOF

# Starts the driver in the background and waits for its socket; the kit's --restart-cmd
# runs the same script after stopping the running one. Token files go under our temp dir.
cat > "$dir/start-driver.sh" <<EOF
#!/bin/sh
set -e
if [ -f "$dir/driver.pid" ]; then
  pid=\$(cat "$dir/driver.pid")
  kill "\$pid" 2>/dev/null || true
  while kill -0 "\$pid" 2>/dev/null; do sleep 0.1; done
fi
rm -f "$dir/run/driver.sock"
XDG_STATE_HOME="$dir/state" "$bin" --bind-socket "$dir/run/driver.sock" --config "$dir/driver.toml" \
  >> "$dir/driver.log" 2>&1 < /dev/null &
echo \$! > "$dir/driver.pid"
for _ in \$(seq 300); do [ -S "$dir/run/driver.sock" ] && exit 0; sleep 0.1; done
echo "upstream's driver did not open its socket in 30 s" >&2
exit 1
EOF
if ! sh "$dir/start-driver.sh"; then
  tail -20 "$dir/driver.log" >&2
  exit 1
fi

status=0
node "$KIT" --socket "$dir/run/driver.sock" --image "$IMAGE" --claims "$dir/claims.toml" \
  --restart-cmd "sh $dir/start-driver.sh" --timeout-ms 30000 "$@" || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- upstream driver log (tail) ---"
  tail -30 "$dir/driver.log"
fi
exit "$status"
