# shellcheck shell=bash
# Sourced by scripts/engines/k8s.sh: the node (bridge, CNI, containerd, kubelet, kube-proxy)
# and the control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler), each
# started unless it already runs. Every setting that differs from upstream defaults is one
# this kind of host needs; the comment beside it says why. Not run on its own.

# The bridge exists before any pod so that its address can be the node IP: the kubelet
# refuses a loopback node IP, and pods reach the host (and the apiserver) at this address.
ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NODE_IP/${POD_SUBNET#*/}" dev "$BRIDGE"
    touch "$STATE_DIR/bridge.created"
  fi
  ip link set "$BRIDGE" up
  # Docker sets the FORWARD policy to DROP and bridged frames pass iptables here
  # (bridge-nf-call-iptables=1): without these, pod to pod and pod to Service traffic dies.
  iptables -N "$FORWARD_CHAIN" 2>/dev/null || iptables -F "$FORWARD_CHAIN"
  iptables -A "$FORWARD_CHAIN" -i "$BRIDGE" -j ACCEPT
  iptables -A "$FORWARD_CHAIN" -o "$BRIDGE" -j ACCEPT
  iptables -C FORWARD -j "$FORWARD_CHAIN" 2>/dev/null || iptables -I FORWARD 1 -j "$FORWARD_CHAIN"
}

write_cni_config() {
  mkdir -p "$STATE_DIR/cni/net.d" "$STATE_DIR/cni/ipam"
  cat >"$STATE_DIR/cni/net.d/10-shellgate.conflist" <<CNI
{ "cniVersion": "1.0.0", "name": "$CNI_NETWORK",
  "plugins": [ { "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
                 "ipam": { "type": "host-local", "dataDir": "$STATE_DIR/cni/ipam",
                           "ranges": [[{"subnet": "$POD_SUBNET", "gateway": "$NODE_IP"}]],
                           "routes": [{"dst": "0.0.0.0/0"}] } } ] }
CNI
}

start_containerd() {
  mkdir -p "$STATE_DIR/containerd"
  cat >"$STATE_DIR/containerd/config.toml" <<TOML
version = 2
root = "$STATE_DIR/containerd/root"
state = "$STATE_DIR/containerd/state"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$CONTAINERD_SOCKET"
[ttrpc]
  address = "$STATE_DIR/run/containerd.ttrpc.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$(normalise_image_ref "$PAUSE_IMAGE")"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  # No CAP_SYS_RESOURCE here: runc cannot lower oom_score_adj (the pause container wants -998)
  # and every pod failed with "can't get final child's PID from pipe: EOF". Clamp instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$STATE_DIR/run/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$STATE_DIR/cni/net.d"
    max_conf_num = 1
TOML
  start_daemon containerd containerd --config "$STATE_DIR/containerd/config.toml"
  wait_for 30 "containerd answers" ctr --address "$CONTAINERD_SOCKET" version
}

start_etcd() {
  start_daemon etcd "$K8S_BIN/etcd" --name shellgate --data-dir "$STATE_DIR/etcd" --log-level warn \
    --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "shellgate=http://127.0.0.1:$((ETCD_PORT + 1))"
  wait_for 30 "etcd healthy" curl -sf --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"
}

start_apiserver() {
  # Bound to the node IP only: host processes reach it there, and so do pods through the
  # `kubernetes` Service (kube-proxy sends its first Service IP to the advertised address).
  start_daemon kube-apiserver "$K8S_BIN/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address="$NODE_IP" --secure-port="$API_PORT" --advertise-address="$NODE_IP" \
    --tls-cert-file="$PKI_DIR/apiserver.crt" --tls-private-key-file="$PKI_DIR/apiserver.key" \
    --client-ca-file="$PKI_DIR/ca.crt" \
    --kubelet-client-certificate="$PKI_DIR/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI_DIR/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP,Hostname \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI_DIR/service-account.pub" \
    --service-account-signing-key-file="$PKI_DIR/service-account.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true --cert-dir="$STATE_DIR/run/apiserver-certs" --profiling=false
  wait_for 120 "kube-apiserver ready" kubectl_admin get --raw /readyz
}

start_controllers() {
  start_daemon kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig="$STATE_DIR/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$CONTROLLER_MANAGER_PORT" --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI_DIR/service-account.key" --root-ca-file="$PKI_DIR/ca.crt" \
    --cluster-signing-cert-file="$PKI_DIR/ca.crt" --cluster-signing-key-file="$PKI_DIR/ca.key" --profiling=false
  start_daemon kube-scheduler "$K8S_BIN/kube-scheduler" --kubeconfig="$STATE_DIR/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --leader-elect=false --profiling=false
}

start_kubelet() {
  cat >"$STATE_DIR/kubelet.yaml" <<KUBELET
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: "$NODE_IP"
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
containerRuntimeEndpoint: "unix://$CONTAINERD_SOCKET"
# containerd 1.6 has no CRI RuntimeConfig: the kubelet falls back to this (Kubernetes >= 1.38
# needs containerd 2.x).
cgroupDriver: cgroupfs
# kubelet >= 1.35 refuses cgroup v1 hosts unless told otherwise; these hosts are v1 (hybrid).
failCgroupV1: false
failSwapOn: false
podLogsDir: "$STATE_DIR/pod-logs"
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$PKI_DIR/ca.crt"}
authorization: {mode: Webhook}
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
# Images come from archives, not a registry: never garbage-collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
# The benchmark holds 100 sandboxes beside the e2e pods; the pod subnet has 253 addresses.
maxPods: 250
KUBELET
  mkdir -p "$STATE_DIR/kubelet" "$STATE_DIR/pod-logs"
  start_daemon kubelet "$K8S_BIN/kubelet" --config="$STATE_DIR/kubelet.yaml" \
    --kubeconfig="$STATE_DIR/kubelet.kubeconfig" --root-dir="$STATE_DIR/kubelet" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" -v=1
}

start_kube_proxy() {
  # iptables mode. masqueradeAll: Service traffic between pods on one bridge returns through
  # the host, so replies are un-NATed. Conntrack sizes and localhost NodePorts are left alone
  # so the host's sysctls stay as they were.
  cat >"$STATE_DIR/kube-proxy.yaml" <<PROXY
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$STATE_DIR/kube-proxy.kubeconfig"}
mode: iptables
clusterCIDR: "$POD_SUBNET"
hostnameOverride: "$NODE_NAME"
bindAddress: "$NODE_IP"
healthzBindAddress: "127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT"
metricsBindAddress: "127.0.0.1:$KUBE_PROXY_METRICS_PORT"
iptables: {masqueradeAll: true, localhostNodePorts: false}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
PROXY
  start_daemon kube-proxy "$K8S_BIN/kube-proxy" --config="$STATE_DIR/kube-proxy.yaml"
}

is_node_ready() {
  [ "$(kubectl_admin get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

# The `kubernetes` Service answers through kube-proxy's rules (what an in-cluster client dials).
is_service_routed() {
  local ip
  ip=$(kubectl_admin get service kubernetes -o jsonpath='{.spec.clusterIP}')
  [ -n "$ip" ] && iptables -t nat -S KUBE-SERVICES 2>/dev/null | grep -q -- "-d $ip/32"
}

wait_until_accepting_pods() {
  wait_for 120 "node $NODE_NAME Ready" is_node_ready
  # Pods are refused until the controller manager has made these (~5 s after the apiserver).
  wait_for 60 "default ServiceAccount" kubectl_admin -n default get serviceaccount default
  wait_for 60 "kube-root-ca.crt ConfigMap" kubectl_admin -n default get configmap kube-root-ca.crt
  wait_for 60 "kube-proxy routes Services" is_service_routed
}
