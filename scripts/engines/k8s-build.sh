# shellcheck shell=bash
# Sourced by scripts/engines/k8s.sh: builds the cluster's binaries from Go modules (no
# download site, no release tarball): Kubernetes' server and node commands plus etcd, static
# and stripped, cached by version outside the repo so a fresh machine builds them once (~13 min
# on 2 cores, most of it kube-apiserver) and every later start finds them at once. Not run on
# its own.

readonly K8S_COMMANDS="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl etcd"

go_binary() {
  command -v go 2>/dev/null && return 0
  [ -x /usr/local/go/bin/go ] && { echo /usr/local/go/bin/go; return 0; }
  fail "no Go toolchain (go on PATH or /usr/local/go/bin/go); Kubernetes $K8S_VERSION needs Go >= the go directive of its go.mod"
}

binaries_cached() {
  local command
  for command in $K8S_COMMANDS; do [ -x "$K8S_BIN/$command" ] || return 1; done
}

# Writes a module in DIR that requires k8s.io/kubernetes at K8S_VERSION. That module pins its
# staging repositories (k8s.io/api, k8s.io/client-go, ...) at v0.0.0 with ./staging replaces,
# which only work inside its own tree: each one is replaced by its published v0.<minor>.<patch>.
write_build_module() {
  local dir=$1 go=$2 staging="v0.${K8S_VERSION#v1.}" gomod modules module
  "$go" mod download -json "k8s.io/kubernetes@$K8S_VERSION" >"$dir/download.json"
  gomod=$(sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' "$dir/download.json")
  [ -f "$gomod" ] || fail "go mod download k8s.io/kubernetes@$K8S_VERSION gave no go.mod (see $dir/download.json)"
  modules=$(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" { print $1 }' "$gomod" | sort -u)
  {
    echo "module shellgate.dev/k8s-engine-build"
    echo
    sed -n 's/^go \(.*\)/go \1/p' "$gomod" | head -n 1
    sed -n 's/^godebug \(.*\)/godebug \1/p' "$gomod" | head -n 1
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    for module in $modules; do printf '\t%s => %s %s\n' "$module" "$module" "$staging"; done
    echo ")"
  } >"$dir/go.mod"
  # etcd: the server at the version Kubernetes' own etcd client pins (already in its module
  # graph); `go install go.etcd.io/etcd/server/v3@...` fails on that module's relative replaces.
  cat >"$dir/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
  (cd "$dir" && "$go" mod tidy -e >"$dir/tidy.log" 2>&1) || fail "go mod tidy failed; see $dir/tidy.log"
}

build_binaries() {
  binaries_cached && return 0
  local go dir="$K8S_CACHE/build" command package started
  go=$(go_binary)
  say "building Kubernetes $K8S_VERSION and etcd from Go modules into $K8S_BIN (once per version; ~13 min on 2 cores)"
  mkdir -p "$dir" "$K8S_BIN"
  write_build_module "$dir" "$go"
  # Without these stamps every binary reports v0.0.0-master and kubectl warns about skew.
  local major=${K8S_VERSION#v} minor=${K8S_VERSION#v*.} flags="-s -w" stamp
  major=${major%%.*}
  minor=${minor%%.*}
  for stamp in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags="$flags -X $stamp.gitVersion=$K8S_VERSION -X $stamp.gitMajor=$major -X $stamp.gitMinor=$minor"
    flags="$flags -X $stamp.gitTreeState=clean -X $stamp.buildDate=1970-01-01T00:00:00Z"
  done
  for command in $K8S_COMMANDS; do
    [ -x "$K8S_BIN/$command" ] && continue
    package=k8s.io/kubernetes/cmd/$command
    [ "$command" = etcd ] && package=go.etcd.io/etcd/server/v3
    started=$SECONDS
    say "building $command"
    (cd "$dir" && CGO_ENABLED=0 nice -n 10 "$go" build -trimpath -ldflags "$flags" -o "$K8S_BIN/$command.tmp" "$package") ||
      fail "building $command failed"
    mv "$K8S_BIN/$command.tmp" "$K8S_BIN/$command"
    say "built $command in $((SECONDS - started)) s ($(du -h "$K8S_BIN/$command" | cut -f1))"
  done
}
