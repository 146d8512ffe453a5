#!/usr/bin/env bash
# The Podman engine for e2e tests and benchmarks (STYLE.md rule 20, issue 11): installs
# Debian's Podman when it is missing, writes the containers.conf settings this kind of host
# needs, starts the API service (`podman system service`) when nothing answers on its socket,
# and imports the local sandbox image (no registry is reachable on CI). It only ever stops a
# service that it started itself, recorded in a pid file; one someone else runs is used as is.
#
#   start          install if needed, configure, start the service unless one answers, import the test image
#   stop           stop the service if this script started it (else leave it running)
#   restart        restart the service (for the e2e "Podman service restarted" test): ours via
#                  stop+start, someone else's by re-running its own command line, still not ours.
#                  Containers keep running: conmon, not the service, is their parent
#   sweep [RUN]    remove e2e containers and networks (of run RUN, or of every e2e run)
#   status         say what is running, who started it and what is left over
#
# Environment: PODMAN_SOCKET (default /run/podman/podman.sock), SHELLGATE_ENGINE_DIR (pid
# file, log and image build dir; default /tmp/shellgate-engines/podman),
# PODMAN_START_TIMEOUT_SECONDS (default 60), CONTAINERS_CONF (default /etc/containers/containers.conf).
set -euo pipefail
# shellcheck source=scripts/engines/test-image.sh
. "$(dirname "$0")/test-image.sh"

# Packages: the engine, its network stack (netavark + aardvark-dns), the init it runs as
# PID 1 (catatonit, `init: true`), and runc: with crun every container fails on this kind of
# host ("cgroups in hybrid mode not supported": cgroup v1 with a cgroup2 mount). uidmap,
# slirp4netns and fuse-overlayfs are what rootless Podman needs.
readonly PACKAGES="podman netavark aardvark-dns catatonit runc uidmap slirp4netns fuse-overlayfs"
readonly OWNERSHIP_LABEL_PREFIXES="shellgate.dev/ dev.shellgate."
readonly RUN_LABEL=dev.shellgate.e2e-run
readonly E2E_NAME_PREFIX=sg-e2e-
readonly SOCKET=${PODMAN_SOCKET:-/run/podman/podman.sock}
readonly ENGINE_DIR=${SHELLGATE_ENGINE_DIR:-/tmp/shellgate-engines/podman}
readonly PID_FILE=$ENGINE_DIR/podman-service.pid
readonly LOG_FILE=$ENGINE_DIR/podman-service.log
readonly START_TIMEOUT_SECONDS=${PODMAN_START_TIMEOUT_SECONDS:-60}
readonly CONF_FILE=${CONTAINERS_CONF:-/etc/containers/containers.conf}
readonly CONF_MARK="# set by shellgate scripts/engines/podman.sh"

say() { echo "podman.sh: $*"; }
fail() {
  echo "podman.sh: error: $*" >&2
  exit 1
}

is_answering() { [ "$(curl -s --max-time 5 --unix-socket "$SOCKET" http://d/_ping 2>/dev/null)" = OK ]; }

# Whether pid runs `podman system service` on our socket.
is_service_pid() {
  local pid=$1 cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  case "$cmdline" in *"podman system service"*"$SOCKET"*) return 0 ;; *) return 1 ;; esac
}

# The pid of the service this script started, if it is still that service.
our_service_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  if [ -n "$pid" ] && is_service_pid "$pid"; then
    echo "$pid"
    return 0
  fi
  rm -f "$PID_FILE" # a stale record: that service is gone
  return 1
}

# Pid of any service on our socket (ours or not); empty when none.
any_service_pid() {
  local cmdline pid
  for cmdline in /proc/[0-9]*/cmdline; do
    pid=$(basename "$(dirname "$cmdline")")
    if is_service_pid "$pid"; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

install_podman() {
  local missing=() package
  for package in $PACKAGES; do
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing ${missing[*]} from Debian"
  # No recommends: they would bring crun (see PACKAGES) and tools the tests never use.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
    say "install failed; running apt-get update and trying again"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
  command -v podman >/dev/null || fail "podman installed but not on PATH"
}

# Sets KEY in [TABLE] of containers.conf unless the file already sets it: an operator's own
# value wins, and nothing else in the file changes. Idempotent.
ensure_conf_key() {
  local table=$1 key=$2 value=$3
  mkdir -p "$(dirname "$CONF_FILE")"
  touch "$CONF_FILE"
  local current
  current=$(awk -v table="[$table]" -v key="$key" '
    /^[[:space:]]*\[/ { gsub(/[[:space:]]/, ""); in_table = ($0 == table); next }
    in_table && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" { sub(/^[^=]*=[[:space:]]*/, ""); print; exit }
  ' "$CONF_FILE")
  if [ -n "$current" ]; then
    [ "$current" = "$value" ] || say "$CONF_FILE keeps its own [$table] $key = $current (this host needs $value)"
    return 0
  fi
  local updated=$CONF_FILE.shellgate.tmp
  if grep -Eq "^[[:space:]]*\[$table\][[:space:]]*$" "$CONF_FILE"; then
    awk -v table="[$table]" -v line="$key = $value" -v mark="$CONF_MARK" '
      { print }
      /^[[:space:]]*\[/ { header = $0; gsub(/[[:space:]]/, "", header); if (header == table && !done) { print mark; print line; done = 1 } }
    ' "$CONF_FILE" >"$updated"
  else
    { cat "$CONF_FILE"; printf '\n[%s]\n%s\n%s\n' "$table" "$CONF_MARK" "$key = $value"; } >"$updated"
  fi
  # Rewritten in place, so the file keeps its owner and mode.
  cat "$updated" >"$CONF_FILE"
  rm -f "$updated"
  say "set [$table] $key = $value in $CONF_FILE"
}

# This host's needs: the sandbox cannot raise rlimits (no CAP_SYS_RESOURCE), so Podman must
# not try to ("error setting rlimit type 7/6"); and runc, not crun (see PACKAGES).
configure_podman() {
  ensure_conf_key containers default_ulimits '["nofile=1024:1024", "nproc=1024:1024"]'
  ensure_conf_key engine runtime '"runc"'
}

wait_until_answering() {
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until is_answering; do
    if [ -n "${1:-}" ] && ! kill -0 "$1" 2>/dev/null; then
      fail "the Podman service (pid $1) exited before answering; last lines of $LOG_FILE:
$(tail -n 20 "$LOG_FILE" 2>/dev/null)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail "the Podman service did not answer /_ping on $SOCKET within ${START_TIMEOUT_SECONDS} s (raise PODMAN_START_TIMEOUT_SECONDS); last lines of $LOG_FILE:
$(tail -n 20 "$LOG_FILE" 2>/dev/null)"
    fi
    sleep 0.2
  done
}

# Starts `ARGS...` detached (own session, log to LOG_FILE) and prints its pid.
launch_service() {
  mkdir -p "$ENGINE_DIR" "$(dirname "$SOCKET")"
  echo "=== $(date -u +%FT%TZ) $*" >>"$LOG_FILE"
  setsid "$@" </dev/null >>"$LOG_FILE" 2>&1 &
  echo $!
}

start_engine() {
  local pid
  install_podman
  configure_podman
  if is_answering; then
    if pid=$(our_service_pid); then say "the Podman service already runs (pid $pid, started by this script)"
    else say "a Podman service already answers on $SOCKET (not started by this script; it will be left running)"; fi
    return 0
  fi
  # A socket file nobody answers on is left over from a service that died: podman would
  # refuse to bind it.
  [ -S "$SOCKET" ] && rm -f "$SOCKET"
  pid=$(launch_service podman system service --time=0 "unix://$SOCKET")
  echo "$pid" >"$PID_FILE"
  say "started the Podman service (pid $pid, log $LOG_FILE); waiting up to ${START_TIMEOUT_SECONDS} s for /_ping"
  wait_until_answering "$pid"
  say "the Podman service answers: $(curl -s -D - -o /dev/null --unix-socket "$SOCKET" http://d/_ping | tr -d '\r' | grep -i '^libpod-api-version' || echo 'no Libpod-Api-Version')"
}

# The sandbox image (scripts/engines/test-image.sh), imported into Podman's storage.
import_test_image() {
  if podman image exists "$TEST_IMAGE"; then
    say "image $TEST_IMAGE present"
    return 0
  fi
  local root=$ENGINE_DIR/busybox-rootfs
  say "building $TEST_IMAGE from /bin/busybox in $root"
  write_busybox_rootfs "$root"
  tar -C "$root" -c . | podman import --quiet \
    --change "$TEST_IMAGE_PATH_ENV" \
    --change "$TEST_IMAGE_CMD" \
    --change "LABEL $RUN_LABEL-image=busybox" \
    - "$TEST_IMAGE" >/dev/null
  rm -rf "$root"
  say "imported $TEST_IMAGE ($(podman image inspect --format '{{.Id}}' "$TEST_IMAGE"))"
}

# SIGTERM, up to 20 s, then SIGKILL.
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    say "the Podman service (pid $pid) still runs after 20 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

stop_engine() {
  local pid
  if ! pid=$(our_service_pid); then
    if is_answering; then say "the Podman service was not started by this script; leaving it running"
    else say "no Podman service started by this script is running"; fi
    return 0
  fi
  say "stopping the Podman service (pid $pid)"
  stop_pid "$pid"
  rm -f "$PID_FILE"
  say "the Podman service stopped"
}

restart_engine() {
  if our_service_pid >/dev/null; then
    stop_engine
    start_engine
    return 0
  fi
  local pid
  pid=$(any_service_pid) || fail "no Podman service on $SOCKET to restart (run scripts/engines/podman.sh start)"
  local -a cmdline
  mapfile -d '' -t cmdline <"/proc/$pid/cmdline"
  say "restarting a Podman service this script did not start (pid $pid): ${cmdline[*]}"
  stop_pid "$pid"
  pid=$(launch_service "${cmdline[@]}")
  say "started it again (pid $pid, log $LOG_FILE; still not recorded as ours)"
  wait_until_answering "$pid"
}

# Networks of e2e runs: our run label, or a name with the e2e prefix.
e2e_networks() {
  local run=${1:-}
  podman network ls -q --filter "label=$RUN_LABEL${run:+=$run}"
  podman network ls --format '{{.Name}}' | while read -r name; do
    case "$name" in "$E2E_NAME_PREFIX${run}"*) echo "$name" ;; esac
  done
}

# Containers of e2e runs: our run label; a driver-managed container whose name or gateway id
# has the e2e prefix; or any container on an e2e network.
e2e_containers() {
  local run=${1:-} network prefix
  podman ps -aq --filter "label=$RUN_LABEL${run:+=$run}"
  for prefix in $OWNERSHIP_LABEL_PREFIXES; do
    podman ps -a --filter "label=${prefix}managed-by=shellgate" --format "{{.ID}} {{.Names}} {{index .Labels \"${prefix}gateway-id\"}}" |
      while read -r id name gateway_id; do
        case "$name $gateway_id" in *"$E2E_NAME_PREFIX${run}"*) echo "$id" ;; esac
      done
  done
  for network in $(e2e_networks "$run" | sort -u); do
    podman ps -aq --filter "network=$network"
  done
}

# Pods of e2e runs: the anchor pod a driver keeps each network's bridge up with, named after it.
e2e_pods() {
  local run=${1:-}
  podman pod ls --format '{{.Name}}' | while read -r name; do
    case "$name" in "$E2E_NAME_PREFIX${run}"*) echo "$name" ;; esac
  done
}

sweep() {
  command -v podman >/dev/null || { say "podman is not installed; nothing to sweep"; return 0; }
  local run=${1:-} ids networks pods
  pods=$(e2e_pods "$run" | sort -u)
  if [ -n "$pods" ]; then
    say "removing $(echo "$pods" | wc -l) e2e anchor pod(s)${run:+ of run $run}"
    # shellcheck disable=SC2086
    podman pod rm -f $pods >/dev/null
  fi
  ids=$(e2e_containers "$run" | sort -u)
  if [ -n "$ids" ]; then
    say "removing $(echo "$ids" | wc -l) e2e container(s)${run:+ of run $run}"
    # shellcheck disable=SC2086 # one id per word
    podman rm -f -v $ids >/dev/null
  fi
  networks=$(e2e_networks "$run" | sort -u)
  if [ -n "$networks" ]; then
    say "removing $(echo "$networks" | wc -l) e2e network(s)${run:+ of run $run}"
    # shellcheck disable=SC2086
    podman network rm $networks >/dev/null || say "some networks are still in use"
  fi
  say "sweep done${run:+ (run $run)}"
}

status() {
  local pid
  if pid=$(our_service_pid); then say "Podman service pid $pid, started by this script (log $LOG_FILE)"
  elif pid=$(any_service_pid); then say "Podman service pid $pid on $SOCKET, not started by this script"
  else say "no Podman service process on $SOCKET"; fi
  if ! is_answering; then
    say "nothing answers /_ping on $SOCKET (run scripts/engines/podman.sh start)"
    return 1
  fi
  say "engine answers: podman $(podman version --format '{{.Server.Version}}' 2>/dev/null || podman --version)"
  if podman image exists "$TEST_IMAGE"; then say "image $TEST_IMAGE present"
  else say "image $TEST_IMAGE missing (run scripts/engines/podman.sh start)"; fi
  say "e2e containers left over: $(e2e_containers "" | sort -u | grep -c . || true)"
}

case "${1:-}" in
  start)
    start_engine
    import_test_image
    ;;
  stop) stop_engine ;;
  restart) restart_engine ;;
  sweep) sweep "${2:-}" ;;
  status) status ;;
  *)
    echo "usage: scripts/engines/podman.sh start|stop|restart|sweep [RUN]|status" >&2
    exit 2
    ;;
esac
