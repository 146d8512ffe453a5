# Sourced by scripts/engines/docker.sh and podman.sh: the one local sandbox image both engines
# import (no registry is reachable on CI), built the same way for each. Not run on its own.
#
# The image is a static busybox with its applets as links, one layer. Its default command
# keeps running and exits at once on SIGTERM, so sandboxes created without a command (the
# conformance kit's) stay Running and stop without the kill timeout.

readonly TEST_IMAGE=shellgate-test/busybox:1
readonly TEST_IMAGE_PATH_ENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
# shellcheck disable=SC2016 # $! is for the image's shell
readonly TEST_IMAGE_CMD='CMD ["/bin/sh","-c","trap \"exit 0\" TERM INT; while :; do sleep 3600 & wait $!; done"]'

# Installs Debian's busybox-static when /bin/busybox is missing.
ensure_busybox_static() {
  [ -x /bin/busybox ] && return 0
  echo "installing busybox-static from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >/dev/null; }
}

# Writes the image's root file system into ROOT (emptied first).
write_busybox_rootfs() {
  local root=$1 applet
  ensure_busybox_static
  rm -rf "$root"
  mkdir -p "$root"/{bin,etc,root,tmp,proc,sys,dev,run,var/tmp}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp /bin/busybox "$root/bin/busybox"
  # Relative links: `busybox --install -s` would point them at this host's path of busybox.
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}
