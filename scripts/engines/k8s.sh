#!/usr/bin/env bash
# The Kubernetes engine for e2e tests and benchmarks (STYLE.md rule 20, issue 13): a real
# single-node cluster on this machine with no kind, kubeadm, registry or download site.
# Kubernetes and etcd are built from their Go modules (cached by version outside the repo),
# containerd, runc and the CNI plugins come from Debian, and images are imported from
# archives. Everything the cluster keeps lives in one state dir; stop stops only what start
# started (pid files there) and undoes the host changes the kubelet and kube-proxy made.
#
#   start                   install packages, build binaries (once), start what is not running,
#                           load the test image; a second start returns at once
#   stop                    stop the cluster and restore the host; the state dir is kept (a
#                           later start is warm, ~5 s)
#   purge                   stop, then delete the state dir (etcd data, images, certificates)
#   restart-apiserver       stop and start kube-apiserver only (the e2e watch-survives test)
#   sweep [RUN]             delete e2e namespaces and objects (of run RUN, or of every run)
#   env                     print `export KUBECONFIG=... PATH=...` and the node IP, for eval
#   load-image REF          copy an image from the local dockerd into the cluster
#   load-archive FILE       import an image archive (OCI layout or `docker save` output)
#   status                  say what runs
#
# Environment: SHELLGATE_K8S_DIR (state dir, default /var/tmp/shellgate-k8s),
# SHELLGATE_K8S_CACHE (binary cache, default /var/cache/shellgate/k8s), SHELLGATE_K8S_VERSION
# (default v1.37.2; needs containerd 2.x from 1.38 on).
set -euo pipefail
ENGINES_DIR=$(cd "$(dirname "$0")" && pwd)
readonly ENGINES_DIR
# shellcheck source=scripts/engines/test-image.sh
. "$ENGINES_DIR/test-image.sh"

readonly K8S_VERSION=${SHELLGATE_K8S_VERSION:-v1.37.2}
readonly K8S_CACHE=${SHELLGATE_K8S_CACHE:-/var/cache/shellgate/k8s}/$K8S_VERSION
readonly K8S_BIN=$K8S_CACHE/bin
readonly STATE_DIR=${SHELLGATE_K8S_DIR:-/var/tmp/shellgate-k8s}
readonly PKI_DIR=$STATE_DIR/pki
readonly ADMIN_KUBECONFIG=$STATE_DIR/admin.kubeconfig
readonly CONTAINERD_SOCKET=$STATE_DIR/run/containerd.sock
readonly NODE_NAME=shellgate-node
# Not 10.88.0.0/16: that is Podman's default network, which shares this host.
readonly BRIDGE=sgk8s0 POD_SUBNET=10.244.0.0/24 NODE_IP=10.244.0.1 SERVICE_CIDR=10.96.0.0/24
readonly CNI_NETWORK=shellgate-k8s CNI_BIN_DIR=/usr/lib/cni FORWARD_CHAIN=SHELLGATE-K8S
readonly API_PORT=16443 ETCD_PORT=23790 CONTROLLER_MANAGER_PORT=20257 SCHEDULER_PORT=20259
readonly KUBELET_HEALTHZ_PORT=20248 KUBE_PROXY_HEALTHZ_PORT=20256 KUBE_PROXY_METRICS_PORT=20249
readonly PAUSE_IMAGE=shellgate-test/pause:1
# The run label e2e objects carry (e2e/src/k8s: SHELLGATE_E2E_RUN), and the prefix of the
# gateway ids of e2e drivers, whose pods carry it in the SDK's gateway-id label.
readonly RUN_LABEL=shellgate.dev/e2e-run MANAGED_BY_LABEL=shellgate.dev/managed-by
readonly GATEWAY_ID_LABEL=shellgate.dev/gateway-id E2E_NAME_PREFIX=sg-e2e-
# Debian packages: the runtime, the CNI plugins (bridge, host-local, loopback), what kube-proxy
# and the kubelet call, and what this script uses.
readonly PACKAGES="containerd runc containernetworking-plugins iptables conntrack openssl curl busybox-static"
readonly DAEMONS="containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy"

say() { echo "k8s.sh: $*"; }
fail() {
  echo "k8s.sh: error: $*" >&2
  exit 1
}

# shellcheck source=scripts/engines/k8s-build.sh
. "$ENGINES_DIR/k8s-build.sh"
# shellcheck source=scripts/engines/k8s-pki.sh
. "$ENGINES_DIR/k8s-pki.sh"
# shellcheck source=scripts/engines/k8s-image.sh
. "$ENGINES_DIR/k8s-image.sh"
# shellcheck source=scripts/engines/k8s-node.sh
. "$ENGINES_DIR/k8s-node.sh"
# shellcheck source=scripts/engines/k8s-teardown.sh
. "$ENGINES_DIR/k8s-teardown.sh"

kubectl_admin() { "$K8S_BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" --request-timeout=10s "$@"; }

STARTED_AT=$SECONDS
# wait_for SECONDS WHAT COMMAND...: until COMMAND succeeds, saying how long it took.
wait_for() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $what (logs: $STATE_DIR/logs/)"
    sleep 0.2
  done
  say "$what ($((SECONDS - STARTED_AT)) s)"
}

# The pid of daemon NAME if the process recorded for it still runs its binary. Stopped
# daemons are re-parented to PID 1, which reaps them late: a zombie counts as gone.
daemon_pid() {
  local file=$STATE_DIR/pids/$1.pid pid binary
  [ -f "$file" ] || return 1
  read -r pid binary <"$file" || true
  if [ -n "$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ] &&
    [ "$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | head -n 1)" = "$binary" ]; then
    echo "$pid"
    return 0
  fi
  rm -f "$file"
  return 1
}

# start_daemon NAME BINARY ARGS...: in its own session, logging to logs/NAME.log, unless it runs.
start_daemon() {
  local name=$1 pid
  shift
  if pid=$(daemon_pid "$name"); then
    say "$name already runs (pid $pid)"
    return 0
  fi
  mkdir -p "$STATE_DIR/logs" "$STATE_DIR/pids"
  echo "=== $(date -u +%FT%TZ) $*" >>"$STATE_DIR/logs/$name.log"
  setsid "$@" </dev/null >>"$STATE_DIR/logs/$name.log" 2>&1 &
  echo "$! $1" >"$STATE_DIR/pids/$name.pid"
  say "started $name (pid $!, log $STATE_DIR/logs/$name.log)"
}

# SIGTERM, up to 10 s, then SIGKILL.
stop_daemon() {
  local pid
  pid=$(daemon_pid "$1") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while daemon_pid "$1" >/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if daemon_pid "$1" >/dev/null; then
    say "$1 (pid $pid) still runs after 10 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$STATE_DIR/pids/$1.pid"
  say "stopped $1"
}

install_packages() {
  local missing=() package
  for package in $PACKAGES; do
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing ${missing[*]} from Debian"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
    say "install failed; running apt-get update and trying again"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

start_cluster() {
  [ "$(id -u)" = 0 ] || fail "must run as root (it starts containerd and the kubelet)"
  install_packages
  build_binaries
  mkdir -p "$STATE_DIR/run" "$STATE_DIR/images"
  record_host_state
  ensure_pki
  ensure_bridge
  write_cni_config
  start_containerd
  load_test_images
  start_etcd
  start_apiserver
  start_controllers
  start_kubelet
  start_kube_proxy
  wait_until_accepting_pods
  say "cluster up: KUBECONFIG=$ADMIN_KUBECONFIG, node $NODE_NAME, node IP $NODE_IP (pods reach the host there)"
}

purge() {
  stop_cluster
  rm -rf "$STATE_DIR"
  say "deleted $STATE_DIR"
}

restart_apiserver() {
  daemon_pid kube-apiserver >/dev/null || fail "kube-apiserver does not run (run scripts/engines/k8s.sh start)"
  stop_daemon kube-apiserver
  start_apiserver
}

# e2e objects: namespaces carrying the run label are deleted whole; elsewhere, namespaced
# objects carrying it, and pods, secrets and PVCs of a driver whose gateway id has the e2e
# prefix; PersistentVolumes carrying it.
sweep() {
  local run=${1:-} selector kinds=pods,secrets,persistentvolumeclaims,services,deployments,networkpolicies,serviceaccounts,roles,rolebindings,configmaps
  daemon_pid kube-apiserver >/dev/null || { say "no kube-apiserver runs; nothing to sweep"; return 0; }
  selector=$RUN_LABEL${run:+=$run}
  kubectl_admin delete namespaces -l "$selector" --wait=false --ignore-not-found | sed 's/^/  /'
  kubectl_admin delete "$kinds" --all-namespaces -l "$selector" --wait=false --ignore-not-found | sed 's/^/  /'
  kubectl_admin get pods,secrets,persistentvolumeclaims --all-namespaces -l "$MANAGED_BY_LABEL=shellgate" \
    -o jsonpath="{range .items[*]}{.kind} {.metadata.namespace} {.metadata.name} {.metadata.labels.${GATEWAY_ID_LABEL//./\\.}}{'\n'}{end}" |
    while read -r kind namespace name gateway_id; do
      case "$gateway_id" in "$E2E_NAME_PREFIX$run"*) kubectl_admin -n "$namespace" delete "$kind" "$name" --wait=false --ignore-not-found ;; esac
    done | sed 's/^/  /'
  kubectl_admin delete persistentvolumes -l "$selector" --wait=false --ignore-not-found | sed 's/^/  /'
  say "sweep done${run:+ (run $run)}"
}

print_env() {
  echo "export KUBECONFIG=$ADMIN_KUBECONFIG"
  echo "export PATH=$K8S_BIN:\$PATH"
  echo "export SHELLGATE_K8S_NODE_IP=$NODE_IP"
  echo "export SHELLGATE_K8S_STATE_DIR=$STATE_DIR"
}

status() {
  local name pid
  for name in $DAEMONS; do
    if pid=$(daemon_pid "$name"); then say "$name runs (pid $pid)"; else say "$name does not run"; fi
  done
  if daemon_pid kube-apiserver >/dev/null && is_node_ready 2>/dev/null; then
    say "node $NODE_NAME Ready; KUBECONFIG=$ADMIN_KUBECONFIG; node IP $NODE_IP"
  else
    say "the cluster does not accept pods (run scripts/engines/k8s.sh start)"
    return 1
  fi
}

case "${1:-}" in
  start) start_cluster ;;
  stop)
    stop_cluster
    say "stopped; state kept in $STATE_DIR"
    ;;
  purge) purge ;;
  restart-apiserver) restart_apiserver ;;
  sweep) sweep "${2:-}" ;;
  env) print_env ;;
  load-image) load_docker_image "${2:?usage: k8s.sh load-image REF}" ;;
  load-archive) load_archive "${2:?usage: k8s.sh load-archive FILE}" ;;
  status) status ;;
  *)
    echo "usage: scripts/engines/k8s.sh start|stop|purge|restart-apiserver|sweep [RUN]|env|load-image REF|load-archive FILE|status" >&2
    exit 2
    ;;
esac
