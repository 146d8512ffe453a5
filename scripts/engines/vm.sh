#!/usr/bin/env bash
# The QEMU "engine" for VM e2e tests and benchmarks (issue 12): installs what the VM driver
# needs from Debian when it is missing (qemu-system-x86, erofs-utils, e2fsprogs,
# busybox-static), then runs `shellgate-driver-vm prepare` into a cache outside the
# repository: the guest kernel (Debian's cloud kernel, downloaded and unpacked once), the
# initramfs, the supervisor runtime disk, the accelerator verdict and, when a Docker engine
# answers, the test image's base disk. Idempotent: a second start finds everything cached.
# Nothing keeps running between tests: each e2e driver spawns its own QEMU processes.
#
#   start        install if needed and prepare the cache (needs a built workspace: pnpm run build)
#   stop         kill QEMU processes e2e runs left behind (VMs outlive their driver by design)
#   sweep [RUN]  the same for one run's VMs only, and remove their run directories
#   status       say what is installed, what is cached and which e2e VMs are running
#
# Environment: SHELLGATE_VM_ENGINE_DIR (default /tmp/shellgate-engines/vm): the cache
# (SHELLGATE_VM_CACHE_DIR, default $SHELLGATE_VM_ENGINE_DIR/cache), the state dir prepare uses,
# and run/, under which every e2e driver keeps its VMs' sockets (run/<RUN>-...), which is how
# stop and sweep find their QEMU processes.
set -euo pipefail
cd "$(dirname "$0")/../.."

readonly ENGINE_DIR=${SHELLGATE_VM_ENGINE_DIR:-/tmp/shellgate-engines/vm}
readonly CACHE_DIR=${SHELLGATE_VM_CACHE_DIR:-$ENGINE_DIR/cache}
readonly RUN_ROOT=$ENGINE_DIR/run
readonly DRIVER_MAIN=packages/driver-vm/dist/main.js
readonly TEST_IMAGE=shellgate-test/busybox:1
readonly PACKAGES="qemu-system-x86 erofs-utils e2fsprogs busybox-static"

say() { echo "vm.sh: $*"; }
fail() {
  echo "vm.sh: error: $*" >&2
  exit 1
}

missing_packages() {
  local missing=""
  command -v qemu-system-x86_64 >/dev/null || missing="$missing qemu-system-x86"
  command -v mkfs.erofs >/dev/null || missing="$missing erofs-utils"
  command -v mke2fs >/dev/null || missing="$missing e2fsprogs"
  # The initramfs needs a static busybox: Debian's busybox-static installs it as /bin/busybox.
  if ! [ -x /bin/busybox ] || ! file_is_static /bin/busybox; then missing="$missing busybox-static"; fi
  echo "$missing"
}

# A dynamic executable run with LD_TRACE_LOADED_OBJECTS=1 lists its libraries instead of
# running; a static one just runs (here: `true`, which prints nothing).
file_is_static() { [ -z "$(LD_TRACE_LOADED_OBJECTS=1 "$1" true 2>&1)" ]; }

install_packages() {
  local missing
  missing=$(missing_packages)
  [ -z "$missing" ] && return 0
  say "installing from Debian:$missing"
  # shellcheck disable=SC2086 # one package per word
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null; then
    say "install failed; running apt-get update and trying again"
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
  fi
  missing=$(missing_packages)
  [ -z "$missing" ] || fail "still missing after the install:$missing"
}

prepare_cache() {
  [ -f "$DRIVER_MAIN" ] || fail "$DRIVER_MAIN is missing: build the workspace first (pnpm run build)"
  mkdir -p "$ENGINE_DIR" "$RUN_ROOT"
  chmod 0755 "$ENGINE_DIR"
  chmod 0711 "$RUN_ROOT"
  local images=()
  if docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then images=(--image "$TEST_IMAGE"); else say "no $TEST_IMAGE in a Docker engine; its base disk is made at the first boot"; fi
  say "preparing the VM cache in $CACHE_DIR (the first run downloads the kernel package)"
  node "$DRIVER_MAIN" prepare --state-dir "$ENGINE_DIR/state" --cache-dir "$CACHE_DIR" --run-dir "$RUN_ROOT/prepare" "${images[@]}" 2>&1 | sed 's/^/vm.sh: /'
  return "${PIPESTATUS[0]}"
}

# Pids of QEMU processes whose sockets live under $RUN_ROOT/$1 (every e2e VM of run $1, or of every run).
e2e_qemu_pids() {
  local prefix=$RUN_ROOT/${1:-} pid
  # The kernel keeps 15 characters of a command name: qemu-system-x86_64 is qemu-system-x86.
  for pid in $(pgrep -x qemu-system-x86 2>/dev/null); do
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "path=$prefix"; then echo "$pid"; fi
  done | sort -u
}

kill_e2e_vms() {
  local pids
  pids=$(e2e_qemu_pids "${1:-}")
  if [ -n "$pids" ]; then
    say "killing $(echo "$pids" | wc -l) e2e VM(s)${1:+ of run $1}"
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL $pids 2>/dev/null || true
  fi
}

sweep() {
  local run=${1:-}
  kill_e2e_vms "$run"
  if [ -d "$RUN_ROOT" ]; then
    find "$RUN_ROOT" -mindepth 1 -maxdepth 1 -name "${run}*" ! -name prepare -exec rm -rf {} +
  fi
  say "sweep done${run:+ (run $run)}"
}

status() {
  local missing
  missing=$(missing_packages)
  if [ -z "$missing" ]; then say "installed: $(qemu-system-x86_64 --version | head -1)"; else say "missing:$missing (run scripts/engines/vm.sh start)"; fi
  if [ -d "$CACHE_DIR/kernels" ]; then say "kernels cached: $(find "$CACHE_DIR/kernels" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f ')"; else say "no kernel cached in $CACHE_DIR"; fi
  say "e2e VMs running: $(e2e_qemu_pids "" | grep -c . || true)"
}

case "${1:-}" in
  start)
    install_packages
    prepare_cache
    ;;
  stop) kill_e2e_vms "" ;;
  sweep) sweep "${2:-}" ;;
  status) status ;;
  *)
    echo "usage: scripts/engines/vm.sh start|stop|sweep [RUN]|status" >&2
    exit 2
    ;;
esac
