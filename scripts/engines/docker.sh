#!/usr/bin/env bash
# The Docker engine for e2e tests and benchmarks (STYLE.md rule 20, issue 4): installs
# Debian's docker.io when dockerd is missing, starts dockerd when nothing answers, and builds
# the local sandbox image (no registry is reachable on CI). It only ever stops a dockerd that
# it started itself, recorded in a pid file; an engine someone else runs is used as it is.
#
#   start          install if needed, start dockerd unless one answers, build the test image
#   stop           stop dockerd if this script started it (else leave it running)
#   restart        restart dockerd (for the e2e "dockerd restarted" test): ours via stop+start,
#                  someone else's by re-running its own command line, still not recorded as ours
#   sweep [RUN]    remove e2e containers and networks (of run RUN, or of every e2e run)
#   status         say what is running, who started it and what is left over
#
# Environment: DOCKER_HOST (default unix:///var/run/docker.sock), SHELLGATE_ENGINE_DIR (pid
# file, log and image build dir; default /tmp/shellgate-engines/docker),
# DOCKER_START_TIMEOUT_SECONDS (default 60).
set -euo pipefail
# shellcheck source=scripts/engines/test-image.sh
. "$(dirname "$0")/test-image.sh"

# Label keys: the driver's ownership label prefixes (the SDK's shellgate.dev/ vocabulary and
# the dev.shellgate. one containers of earlier versions carry) and our run label
# (e2e/src/docker/e2e-run.ts).
readonly OWNERSHIP_LABEL_PREFIXES="shellgate.dev/ dev.shellgate."
readonly RUN_LABEL=dev.shellgate.e2e-run
# Names every e2e and bench object starts with, for objects the driver names itself.
readonly E2E_NAME_PREFIX=sg-e2e-
readonly ENGINE_DIR=${SHELLGATE_ENGINE_DIR:-/tmp/shellgate-engines/docker}
readonly PID_FILE=$ENGINE_DIR/dockerd.pid
readonly LOG_FILE=$ENGINE_DIR/dockerd.log
readonly START_TIMEOUT_SECONDS=${DOCKER_START_TIMEOUT_SECONDS:-60}

say() { echo "docker.sh: $*"; }
fail() {
  echo "docker.sh: error: $*" >&2
  exit 1
}

is_answering() { docker info >/dev/null 2>&1; }

# The pid of the dockerd this script started, if it is still that dockerd.
our_dockerd_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
    echo "$pid"
    return 0
  fi
  rm -f "$PID_FILE" # a stale record: that dockerd is gone
  return 1
}

# Pid of any running dockerd (ours or not); empty when none.
any_dockerd_pid() {
  local comm
  for comm in /proc/[0-9]*/comm; do
    if [ "$(cat "$comm" 2>/dev/null)" = dockerd ]; then
      basename "$(dirname "$comm")"
      return 0
    fi
  done
  return 1
}

install_docker() {
  command -v dockerd >/dev/null && return 0
  say "dockerd not found; installing docker.io from Debian"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/dev/null; then
    say "install failed; running apt-get update and trying again"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/dev/null
  fi
  command -v dockerd >/dev/null || fail "docker.io installed but dockerd is not on PATH"
}

wait_until_answering() {
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until is_answering; do
    if [ -n "${1:-}" ] && ! kill -0 "$1" 2>/dev/null; then
      fail "dockerd (pid $1) exited before answering; last lines of $LOG_FILE:
$(tail -n 20 "$LOG_FILE" 2>/dev/null)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail "dockerd did not answer 'docker info' within ${START_TIMEOUT_SECONDS} s (raise DOCKER_START_TIMEOUT_SECONDS); last lines of $LOG_FILE:
$(tail -n 20 "$LOG_FILE" 2>/dev/null)"
    fi
    sleep 0.2
  done
}

# Starts `dockerd ARGS...` detached (own session, log to LOG_FILE) and prints its pid.
launch_dockerd() {
  mkdir -p "$ENGINE_DIR"
  echo "=== $(date -u +%FT%TZ) dockerd $*" >>"$LOG_FILE"
  setsid "$@" </dev/null >>"$LOG_FILE" 2>&1 &
  echo $!
}

start_engine() {
  local pid
  if is_answering; then
    if pid=$(our_dockerd_pid); then say "dockerd already running (pid $pid, started by this script)"
    else say "a Docker engine already answers (not started by this script; it will be left running)"; fi
    return 0
  fi
  install_docker
  pid=$(launch_dockerd dockerd)
  echo "$pid" >"$PID_FILE"
  say "started dockerd (pid $pid, log $LOG_FILE); waiting up to ${START_TIMEOUT_SECONDS} s for 'docker info'"
  wait_until_answering "$pid"
  say "dockerd answers: server $(docker version --format '{{.Server.Version}}' 2>/dev/null), API $(docker version --format '{{.Server.APIVersion}}' 2>/dev/null)"
}

# The sandbox image (scripts/engines/test-image.sh), imported into dockerd.
build_test_image() {
  if docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
    say "image $TEST_IMAGE present"
    return 0
  fi
  local root=$ENGINE_DIR/busybox-rootfs
  say "building $TEST_IMAGE from /bin/busybox in $root"
  write_busybox_rootfs "$root"
  tar -C "$root" -c . | docker import \
    --change "$TEST_IMAGE_PATH_ENV" \
    --change "$TEST_IMAGE_CMD" \
    --change "LABEL $RUN_LABEL-image=busybox" \
    - "$TEST_IMAGE" >/dev/null
  rm -rf "$root"
  say "built $TEST_IMAGE ($(docker image inspect --format '{{.Id}}' "$TEST_IMAGE"))"
}

stop_engine() {
  local pid
  if ! pid=$(our_dockerd_pid); then
    if is_answering; then say "dockerd was not started by this script; leaving it running"
    else say "no dockerd started by this script is running"; fi
    return 0
  fi
  say "stopping dockerd (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  # dockerd stops its containers first (15 s each at most), so give it a while.
  local deadline=$((SECONDS + 40))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    say "dockerd (pid $pid) still running after 40 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  say "dockerd stopped"
}

restart_engine() {
  if our_dockerd_pid >/dev/null; then
    stop_engine
    start_engine
    return 0
  fi
  local pid
  pid=$(any_dockerd_pid) || fail "no dockerd process to restart (run scripts/engines/docker.sh start)"
  local -a cmdline
  mapfile -d '' -t cmdline <"/proc/$pid/cmdline"
  say "restarting a dockerd this script did not start (pid $pid): ${cmdline[*]}"
  kill -TERM "$pid"
  local deadline=$((SECONDS + 40))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && fail "dockerd (pid $pid) did not exit within 40 s of SIGTERM"
  pid=$(launch_dockerd "${cmdline[@]}")
  say "started it again (pid $pid, log $LOG_FILE; still not recorded as ours)"
  wait_until_answering "$pid"
}

# Networks of e2e runs: our run label, or a name with the e2e prefix (every e2e driver gets a
# network_name of sg-e2e-RUN-...).
e2e_networks() {
  local run=${1:-}
  docker network ls -q --filter "label=$RUN_LABEL${run:+=$run}"
  docker network ls --format '{{.ID}} {{.Name}}' | while read -r id name; do
    case "$name" in "$E2E_NAME_PREFIX${run}"*) echo "$id" ;; esac
  done
}

# Containers of e2e runs: our run label; a driver-managed container whose name or gateway id
# has the e2e prefix (standalone e2e drivers get gateway_id sg-e2e-RUN-...); or any container
# on an e2e network (a gateway's driver labels its containers with the gateway's UUID).
e2e_containers() {
  local run=${1:-} network
  docker ps -aq --filter "label=$RUN_LABEL${run:+=$run}"
  for prefix in $OWNERSHIP_LABEL_PREFIXES; do
    docker ps -a --filter "label=${prefix}managed-by=shellgate" --format "{{.ID}} {{.Names}} {{.Label \"${prefix}gateway-id\"}}" |
      while read -r id name gateway_id; do
        case "$name $gateway_id" in *"$E2E_NAME_PREFIX${run}"*) echo "$id" ;; esac
      done
  done
  for network in $(e2e_networks "$run" | sort -u); do
    docker ps -aq --filter "network=$network"
  done
}

sweep() {
  is_answering || { say "no Docker engine answers; nothing to sweep"; return 0; }
  local run=${1:-} ids networks
  ids=$(e2e_containers "$run" | sort -u)
  if [ -n "$ids" ]; then
    say "removing $(echo "$ids" | wc -l) e2e container(s)${run:+ of run $run}"
    # shellcheck disable=SC2086 # one id per word
    docker rm -f -v $ids >/dev/null
  fi
  networks=$(e2e_networks "$run" | sort -u)
  if [ -n "$networks" ]; then
    say "removing $(echo "$networks" | wc -l) e2e network(s)${run:+ of run $run}"
    # shellcheck disable=SC2086
    docker network rm $networks >/dev/null || say "some networks are still in use"
  fi
  say "sweep done${run:+ (run $run)}"
}

status() {
  local pid
  if pid=$(our_dockerd_pid); then say "dockerd pid $pid, started by this script (log $LOG_FILE)"
  elif pid=$(any_dockerd_pid); then say "dockerd pid $pid, not started by this script"
  else say "no dockerd process"; fi
  if ! is_answering; then
    say "the engine does not answer 'docker info' (run scripts/engines/docker.sh start)"
    return 1
  fi
  say "engine answers: server $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
  if docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then say "image $TEST_IMAGE present"
  else say "image $TEST_IMAGE missing (run scripts/engines/docker.sh start)"; fi
  say "e2e containers left over: $(e2e_containers "" | sort -u | grep -c . || true)"
}

case "${1:-}" in
  start)
    start_engine
    build_test_image
    ;;
  stop) stop_engine ;;
  restart) restart_engine ;;
  sweep) sweep "${2:-}" ;;
  status) status ;;
  *)
    echo "usage: scripts/engines/docker.sh start|stop|restart|sweep [RUN]|status" >&2
    exit 2
    ;;
esac
