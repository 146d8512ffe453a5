# shellcheck shell=bash
# Sourced by scripts/engines/k8s.sh: the cluster's certificates and kubeconfigs, made once in
# the state dir. EC P-256 certificates signed by a CA of this cluster only; the apiserver
# certificate names every address a client may dial it at (loopback, the node IP and the
# first Service IP, which is the in-cluster `kubernetes` Service). Not run on its own.

# Signs NAME.crt for SUBJECT with extended key usage USAGE and optional subjectAltName SAN.
issue_cert() {
  local name=$1 subject=$2 usage=$3 san=${4:-}
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$PKI_DIR/$name.key" -out "$PKI_DIR/$name.csr" -subj "$subject" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$PKI_DIR/$name.ext"
  openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" -CAcreateserial \
    -days 3650 -out "$PKI_DIR/$name.crt" -extfile "$PKI_DIR/$name.ext" 2>/dev/null
  rm -f "$PKI_DIR/$name.csr" "$PKI_DIR/$name.ext"
}

# A kubeconfig at PATH for the client certificate NAME, dialing SERVER.
write_kubeconfig() {
  local path=$1 name=$2 server=$3
  cat >"$path" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: shellgate
  cluster: {server: "$server", certificate-authority: "$PKI_DIR/ca.crt"}
users:
- name: $name
  user: {client-certificate: "$PKI_DIR/$name.crt", client-key: "$PKI_DIR/$name.key"}
contexts:
- name: shellgate
  context: {cluster: shellgate, user: $name}
current-context: shellgate
KUBECONFIG
  chmod 0600 "$path"
}

ensure_pki() {
  [ -f "$PKI_DIR/done" ] && return 0
  local first_service_ip=${SERVICE_CIDR%.*/*}.1 name
  rm -rf "$PKI_DIR"
  mkdir -p "$PKI_DIR"
  chmod 0700 "$PKI_DIR"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -keyout "$PKI_DIR/ca.key" -out "$PKI_DIR/ca.crt" -subj "/CN=shellgate-k8s-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  issue_cert apiserver "/CN=kube-apiserver" serverAuth \
    "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:$NODE_IP,IP:$first_service_ip"
  issue_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  issue_cert admin "/O=system:masters/CN=shellgate-admin" clientAuth
  issue_cert controller-manager "/CN=system:kube-controller-manager" clientAuth
  issue_cert scheduler "/CN=system:kube-scheduler" clientAuth
  issue_cert kube-proxy "/CN=system:kube-proxy" clientAuth
  issue_cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
  openssl genrsa -out "$PKI_DIR/service-account.key" 2048 2>/dev/null
  openssl rsa -in "$PKI_DIR/service-account.key" -pubout -out "$PKI_DIR/service-account.pub" 2>/dev/null
  # The apiserver listens on the node IP only (see start_control_plane): host processes and
  # pods (through the `kubernetes` Service) reach it at the same address.
  for name in admin controller-manager scheduler kube-proxy kubelet; do
    write_kubeconfig "$STATE_DIR/$name.kubeconfig" "$name" "https://$NODE_IP:$API_PORT"
  done
  touch "$PKI_DIR/done"
  say "made the cluster CA, component certificates and kubeconfigs in $PKI_DIR"
}
