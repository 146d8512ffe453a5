#!/usr/bin/env bash
# Builds the local sandbox image with Python that upstream's `exec_python()` needs (issue 15),
# without a registry: the busybox rootfs of test-image.sh plus this host's own Python (its
# executable, standard library and the shared libraries they link, at their host paths, so it
# finds its prefix unchanged) and the `cloudpickle` that exec_python's bootstrap imports. The
# same interpreter as the client's, so pickled code always loads. Prints the image's tag.
#
#   scripts/engines/python-image.sh ENGINE PYTHON
#     ENGINE   docker or podman (its CLI imports the image)
#     PYTHON   a python that imports cloudpickle, e.g. the SDK venv's
#                (scripts/tools/openshell-sdk.sh 0.0.116 prints it)
#
# The tag names a hash of what goes in (this script, test-image.sh, and the path, size and
# mtime of every file copied), so a rerun with nothing changed only looks the image up.
#   SHELLGATE_ENGINE_DIR   build dir parent (default /tmp/shellgate-engines/ENGINE)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/engines/test-image.sh
. "$HERE/test-image.sh"

ENGINE=${1:-}
PYTHON=${2:-}
if [[ $ENGINE != docker && $ENGINE != podman ]] || [ -z "$PYTHON" ]; then
  echo "usage: scripts/engines/python-image.sh docker|podman PYTHON" >&2
  exit 2
fi
say() { echo "python-image.sh: $*" >&2; }

# Standard library parts no sandboxed function needs: tests, GUI, build files, installers.
readonly SKIP_DIRS='test|tests|idlelib|tkinter|turtledemo|ensurepip|lib2to3|distutils|site-packages|dist-packages|config-[^/]*'

# Every host file the image needs at its host path, one absolute path a line: the interpreter
# (first), the standard library and the shared libraries (ldd) of both. An extension module
# whose libraries this host lacks is left out, and so is Tk's (its X libraries).
manifest() {
  "$PYTHON" - "$SKIP_DIRS" <<'PY'
import os, re, subprocess, sys, sysconfig
skip = re.compile(r"/(%s)(/|$)" % sys.argv[1])
executable = os.path.realpath(sys.executable)
stdlib = sysconfig.get_path("stdlib")
files, objects = [executable], [executable]
for directory, subdirs, names in os.walk(stdlib):
    subdirs[:] = [d for d in subdirs if not skip.search(os.path.join(directory, d))]
    for name in names:
        if name.endswith((".opt-1.pyc", ".opt-2.pyc")) or name.startswith("_tkinter"):
            continue
        path = os.path.join(directory, name)
        files.append(path)
        if name.endswith(".so"):
            objects.append(path)
libraries = set()
for path in objects:
    out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    if "not found" in out:
        files.remove(path)
        continue
    for match in re.finditer(r"(?:=> )?(/\S+) \(0x", out):
        libraries.add(match.group(1))
files.extend(sorted(libraries))
print("\n".join(files))
PY
}

# Where cloudpickle goes in the image: the base interpreter's own site-packages (a venv's is
# not on the image's path).
image_site_packages() {
  "$(realpath "$("$PYTHON" -c 'import sys; print(sys.executable)')")" -I -c 'import site; print(site.getsitepackages()[0])'
}

files=$(manifest)
site_packages=$(image_site_packages)
cloudpickle_dir=$("$PYTHON" -c 'import cloudpickle, os; print(os.path.dirname(cloudpickle.__file__))')
key=$({
  cat "$HERE/python-image.sh" "$HERE/test-image.sh"
  echo "$site_packages"
  { echo "$files"; find "$cloudpickle_dir" -name '*.py'; } | xargs -d '\n' stat -c '%n %s %Y'
} | sha256sum | cut -c1-16)
readonly TAG="shellgate-test/python:$key"

if "$ENGINE" image inspect "$TAG" >/dev/null 2>&1; then
  echo "$TAG"
  exit 0
fi

root=$(mktemp -d "${SHELLGATE_ENGINE_DIR:-/tmp/shellgate-engines/$ENGINE}.python-rootfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
say "building $TAG in $root"
write_busybox_rootfs "$root"
# Dereferenced (-h): a library's path may be a link into a directory merged elsewhere on this
# host (/lib64/ld-linux-x86-64.so.2 → /lib/... → /usr/lib/...), which the image has no link for.
echo "$files" | sed 's|^/||' | tar -C / -chf - --files-from=- | tar -C "$root" -xf -
mkdir -p "$root$site_packages"
cp -r "$cloudpickle_dir" "$root$site_packages/"
executable=${files%%$'\n'*}
mkdir -p "$root/usr/bin"
ln -sf "$executable" "$root/usr/bin/python"
ln -sf "$executable" "$root/usr/bin/python3"
tar -C "$root" -c . | "$ENGINE" import \
  --change "$TEST_IMAGE_PATH_ENV" \
  --change "$TEST_IMAGE_CMD" \
  --change "LABEL dev.shellgate.e2e-run-image=python" \
  - "$TAG" >/dev/null
say "built $TAG"
# Earlier builds (another Python, an older script) are only dead weight now; one still in use
# by a container stays (rmi without -f refuses it).
"$ENGINE" image ls --format '{{.Repository}}:{{.Tag}}' | grep -E '(^|/)shellgate-test/python:' | grep -v ":$key\$" |
  xargs -r "$ENGINE" rmi >/dev/null 2>&1 || true
echo "$TAG"
