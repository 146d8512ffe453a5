# shellcheck shell=bash
# Sourced by scripts/engines/k8s.sh: stopping the cluster and undoing what it changed on the
# host, so a test run leaves the machine as it found it. The kubelet and kube-proxy touch
# host state outside the state dir (sysctls, iptables chains, cgroups, network namespaces,
# the CNI result cache, containerd shim sockets); start records the state before, this puts it
# back. Safe to run repeatedly. Not run on its own.

# Host settings the kubelet, the CNI bridge plugin or kube-proxy may change.
readonly WATCHED_SYSCTLS="net.ipv4.ip_forward vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.conf.all.route_localnet"

record_host_state() {
  [ -f "$STATE_DIR/host/sysctls" ] && return 0
  mkdir -p "$STATE_DIR/host"
  local key
  for key in $WATCHED_SYSCTLS; do echo "$key=$(sysctl -n "$key")"; done >"$STATE_DIR/host/sysctls"
  find /var/run/netns -maxdepth 1 -name 'cni-*' -printf '%f\n' 2>/dev/null >"$STATE_DIR/host/netns" || true
  { iptables-save 2>/dev/null; ip6tables-save 2>/dev/null; } | grep -o '^:KUBE-[A-Z0-9-]*' | sort -u >"$STATE_DIR/host/kube-chains" || true
  touch "$STATE_DIR/host/started"
}

# Lets the kubelet tear pods down itself (CNI DEL, netns, cgroups) while everything runs.
delete_all_pods() {
  daemon_pid kubelet >/dev/null && daemon_pid kube-apiserver >/dev/null || return 0
  kubectl_admin delete pods --all --all-namespaces --grace-period=0 --force --wait=false >/dev/null 2>&1 || true
  local deadline=$((SECONDS + 30))
  # Until no task RUNS: the kubelet removes dead containers much later.
  while [ -n "$(ctr_k8s tasks ls 2>/dev/null | awk 'NR > 1 && $3 == "RUNNING"')" ] && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.2
  done
  sleep 1 # StopPodSandbox finishes CNI DEL and the netns removal after the task ends
}

# Kills what containerd still runs, stops it, then any shim serving our socket.
stop_containers() {
  local ids="" id pid cmdline
  if daemon_pid containerd >/dev/null; then
    ids=$(ctr_k8s containers ls -q 2>/dev/null || true)
    for id in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 0.5
    for id in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks delete -f "$id" >/dev/null 2>&1 || true; done
  fi
  stop_daemon containerd
  for cmdline in /proc/[0-9]*/cmdline; do
    pid=$(basename "$(dirname "$cmdline")")
    case "$(tr '\0' ' ' 2>/dev/null <"$cmdline")" in
      *containerd-shim-runc-v2*"$CONTAINERD_SOCKET"*) kill -KILL "$pid" 2>/dev/null || true ;;
    esac
  done
  # Shim sockets live in /run/containerd/s/<sha256(address/namespace/id)> whatever the state dir.
  for id in $ids; do
    rm -f "/run/containerd/s/$(printf '%s' "$CONTAINERD_SOCKET/k8s.io/$id" | sha256sum | cut -d' ' -f1)"
  done
}

unmount_state_dir() {
  awk -v dir="$STATE_DIR" 'index($2, dir "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r mount; do umount "$mount" 2>/dev/null || umount -l "$mount" || true; done
}

# Network namespaces containerd made since start (not ones that were there before), the
# bridge, the FORWARD rules and the CNI results of our network.
remove_network_state() {
  local ns
  if [ -f "$STATE_DIR/host/started" ]; then
    find /var/run/netns -maxdepth 1 -name 'cni-*' -newer "$STATE_DIR/host/started" -printf '%f\n' 2>/dev/null |
      while read -r ns; do
        grep -qx "$ns" "$STATE_DIR/host/netns" 2>/dev/null && continue
        ip netns delete "$ns" 2>/dev/null || { umount "/var/run/netns/$ns" 2>/dev/null; rm -f "/var/run/netns/$ns"; }
      done
  fi
  if [ -f "$STATE_DIR/bridge.created" ]; then
    ip link delete "$BRIDGE" 2>/dev/null || true
    rm -f "$STATE_DIR/bridge.created"
  fi
  while iptables -D FORWARD -j "$FORWARD_CHAIN" 2>/dev/null; do :; done
  if iptables -F "$FORWARD_CHAIN" 2>/dev/null; then iptables -X "$FORWARD_CHAIN"; fi
  grep -l "\"$CNI_NETWORK\"" /var/lib/cni/results/* 2>/dev/null | xargs -r rm -f || true
  rm -f "$STATE_DIR/cni/ipam/$CNI_NETWORK"/[0-9]* 2>/dev/null || true
}

# KUBE-* chains the kubelet and kube-proxy made (not ones that existed before start), with
# the jumps into them.
remove_kube_chains() {
  local tool table chain rule
  for tool in iptables ip6tables; do
    for table in filter nat mangle; do
      for chain in $("$tool" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ { print $2 }'); do
        grep -qx ":$chain" "$STATE_DIR/host/kube-chains" 2>/dev/null && continue
        "$tool" -t "$table" -S 2>/dev/null | awk -v c="$chain" '$1 == "-A" && $0 ~ ("-j " c "( |$)") { sub(/^-A/, "-D"); print }' |
          while read -r rule; do eval "$tool -t $table $rule" 2>/dev/null || true; done
        "$tool" -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$tool" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ { print $2 }'); do
        grep -qx ":$chain" "$STATE_DIR/host/kube-chains" 2>/dev/null && continue
        "$tool" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

restore_host_state() {
  local hierarchy link key value
  for hierarchy in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods.slice /sys/fs/cgroup/kubepods; do
    [ -d "$hierarchy" ] && find "$hierarchy" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  if [ -f "$STATE_DIR/host/sysctls" ]; then
    while IFS='=' read -r key value; do sysctl -qw "$key=$value" 2>/dev/null || true; done <"$STATE_DIR/host/sysctls"
  fi
  for link in /var/log/containers/*.log /var/log/pods/*; do
    [ -L "$link" ] && case "$(readlink "$link")" in "$STATE_DIR"/*) rm -f "$link" ;; esac
  done
  rm -rf "$STATE_DIR/host"
}

stop_cluster() {
  delete_all_pods
  local name
  for name in kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_daemon "$name"; done
  stop_containers
  unmount_state_dir
  remove_network_state
  remove_kube_chains
  restore_host_state
}
