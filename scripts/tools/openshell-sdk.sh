#!/usr/bin/env bash
# Makes a Python venv with upstream's SDK (`openshell` from PyPI) in a cache outside the
# repository, once per release line, and prints the path of its python. Used by the interop
# e2e suites (e2e/src/interop/openshell-sdk*.test.ts).
#
#   scripts/tools/openshell-sdk.sh 0.0.116   the release whose wire contract we pin
#   scripts/tools/openshell-sdk.sh 0.1       the newest 0.1.x (a client of the revised wire)
#
# A venv that already imports a matching `openshell` is reused as it is, so reruns need no
# network. Installs Debian's python3 and python3-venv when python3 or its venv module is
# missing (as docker.sh installs docker.io).
#   OPENSHELL_SDK_CACHE   where the venvs go (default /var/cache/shellgate)
set -euo pipefail

case "${1:-}" in
  0.0.116) REQUIREMENT='openshell==0.0.116' ;;
  0.1) REQUIREMENT='openshell>=0.1,<0.2' ;;
  *)
    echo "usage: scripts/tools/openshell-sdk.sh 0.0.116|0.1" >&2
    exit 2
    ;;
esac
LINE=$1
CACHE_DIR=${OPENSHELL_SDK_CACHE:-/var/cache/shellgate}
VENV="$CACHE_DIR/venv-openshell-$LINE"
# pip's socket timeout and retries, so a dead index fails the run instead of hanging it.
PIP_OPTS=(--disable-pip-version-check --no-input --timeout 60 --retries 2)

say() { echo "openshell-sdk.sh: $*" >&2; }

# Whether the venv's openshell is of the release line asked for.
venv_matches() {
  [ -x "$VENV/bin/python" ] || return 1
  local version
  version=$("$VENV/bin/python" -c 'from importlib.metadata import version; import openshell, cloudpickle; print(version("openshell"))' 2>/dev/null) || return 1
  case "$LINE" in
    0.1) [[ $version == 0.1.* ]] ;;
    *) [ "$version" = "$LINE" ] ;;
  esac
}

apt_install() {
  say "installing $* from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; }
}

ensure_python_venv() {
  command -v python3 >/dev/null || apt_install python3
  # Debian splits ensurepip (which `python3 -m venv` needs) into python3-venv.
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  python3 -c 'import ensurepip, venv' 2>/dev/null ||
    { say "error: $(command -v python3) has no working venv module even after installing python3-venv"; exit 1; }
}

if ! venv_matches; then
  ensure_python_venv
  mkdir -p "$CACHE_DIR"
  # Built aside and renamed into place, so a half-made venv is never taken for a finished one
  # (a venv finds itself from its python's path, so the move keeps it working).
  tmp=$(mktemp -d "$CACHE_DIR/.venv-openshell-$LINE.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  chmod 755 "$tmp" # mktemp makes it 0700; the cache is shared
  say "creating $VENV with $REQUIREMENT"
  python3 -m venv "$tmp"
  "$tmp/bin/python" -m pip install "${PIP_OPTS[@]}" -q "$REQUIREMENT" >&2
  # -T: a run that finished first keeps its venv, instead of ours landing inside it.
  if ! venv_matches; then rm -rf "$VENV"; fi
  mv -T "$tmp" "$VENV" 2>/dev/null || true
  venv_matches || { say "error: $VENV does not import a matching openshell after install"; exit 1; }
fi
echo "$VENV/bin/python"
