#!/bin/busybox sh
# Shellgate's /init: PID 1 of every VM sandbox, packed into the initramfs with a static
# busybox by `shellgate-driver-vm prepare`. It loads the kernel modules listed in
# /etc/modules, reads the per-boot config disk (the token and launch.sh, which the driver
# writes for every boot; the disk is wiped once read), mounts the image (read-only erofs)
# under an overlay whose upper layer is the sandbox's own ext4 disk, mounts the supervisor
# runtime disk at /opt/shellgate/runtime, sets up the network, and starts the entrypoint
# chrooted into the image. It stays PID 1 to reap orphans, stops the entrypoint when the
# driver writes "stop SECONDS" to the shellgate.control port, and syncs before the VM
# powers off, whichever way the entrypoint ended. Disks are found by their virtio serials.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/null >/dev/console 2>&1

say() { echo "shellgate-init: $*"; }
uptime_seconds() { cut -d' ' -f1 /proc/uptime; }
power_off() {
  sync
  reboot -f
}
die() {
  say "error: $*"
  power_off
}

while read -r module; do
  [ -n "$module" ] && { insmod "/lib/modules/$module.ko" || say "warning: insmod $module failed"; }
done </etc/modules

for block in /sys/block/vd*; do
  serial=$(cat "$block/serial" 2>/dev/null)
  case $serial in
    sg-*) eval "disk_$(echo "$serial" | tr - _)=/dev/${block##*/}" ;;
  esac
  # Bigger reads cost fewer emulated requests, but each page read ahead stays in guest memory
  # that QEMU holds: 1 MiB reads start node as fast as 4 MiB ones and leave 20 MB less resident.
  case $serial in sg-base | sg-runtime) echo 1024 >"$block/queue/read_ahead_kb" ;; esac
done

# The accelerator probe boots the same kernel and initramfs with no disks at all.
case " $(cat /proc/cmdline) " in
  *" shellgate.probe=1 "*)
    say "probe ok after $(uptime_seconds)s"
    power_off
    ;;
esac
say "kernel up after $(uptime_seconds)s"

[ -n "$disk_sg_config" ] || die "no config disk (serial sg-config)"
mkdir -p /sg/config
(cd /sg/config && cpio -i -d <"$disk_sg_config" 2>/dev/null) || die "cannot read the config disk"
# The token must not stay readable on a device the sandbox can open.
dd if=/dev/zero of="$disk_sg_config" bs=512 count="$(cat "/sys/block/${disk_sg_config#/dev/}/size")" conv=fsync 2>/dev/null
[ -f /sg/config/launch.sh ] || die "the config disk has no launch.sh"
. /sg/config/launch.sh

mkdir -p /sg/base /sg/state /newroot
mount -t erofs -o ro "$disk_sg_base" /sg/base || die "cannot mount the image disk (serial sg-base)"
mount -t ext4 -o noatime,noinit_itable "$disk_sg_state" /sg/state || die "cannot mount the writable disk (serial sg-state)"
mkdir -p /sg/state/upper /sg/state/work
mount -t overlay overlay -o lowerdir=/sg/base,upperdir=/sg/state/upper,workdir=/sg/state/work /newroot ||
  die "cannot mount the overlay root"
if [ -n "$disk_sg_runtime" ]; then
  mkdir -p /newroot/opt/shellgate/runtime
  mount -t erofs -o ro "$disk_sg_runtime" /newroot/opt/shellgate/runtime || die "cannot mount the supervisor runtime disk"
fi
for disk in $SG_DISKS; do
  serial=${disk%%:*}
  target=${disk#*:}
  eval "device=\$disk_$(echo "$serial" | tr - _)"
  mkdir -p "/newroot$target"
  mount -t ext4 -o noatime,noinit_itable "$device" "/newroot$target" || die "cannot mount disk $serial at $target"
done

mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run /newroot/tmp
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /newroot/dev/shm
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /newroot/run

# The token: root-only, in a root-only directory; the supervisor reads it and truncates it.
mkdir -p /newroot/run/shellgate
chmod 0700 /newroot/run/shellgate
if [ -f /sg/config/token ]; then
  mv /sg/config/token /newroot/run/shellgate/sandbox-token
  chmod 0600 /newroot/run/shellgate/sandbox-token
fi
# The supervisor_tls_* files, read-only for everyone (the supervisor reads them; the agent can too).
if [ -d /sg/config/tls ]; then
  mkdir -p /newroot/opt/shellgate/tls
  mount -t tmpfs -o mode=0755,size=1m,nosuid,nodev,noexec tmpfs /newroot/opt/shellgate/tls || die "cannot mount /opt/shellgate/tls"
  cp /sg/config/tls/* /newroot/opt/shellgate/tls/ && chmod 0444 /newroot/opt/shellgate/tls/* || die "cannot place the supervisor's TLS files"
  mount -o remount,ro /newroot/opt/shellgate/tls || die "cannot make /opt/shellgate/tls read-only"
fi
rm -rf /sg/config

ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
  ip link set eth0 up
  ip addr add 10.0.2.15/24 dev eth0
  ip route add default via 10.0.2.2 dev eth0
fi
hostname "$SG_HOSTNAME"
mkdir -p /sg/etc /newroot/etc
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.2.15\t%s\n%s\thost.openshell.internal\n' \
  "$SG_HOSTNAME" "$SG_GATEWAY_ADDRESS" >/sg/etc/hosts
echo "$SG_HOSTNAME" >/sg/etc/hostname
if [ "$SG_OUTBOUND" = 1 ]; then echo 'nameserver 10.0.2.3' >/sg/etc/resolv.conf; else : >/sg/etc/resolv.conf; fi
for file in hosts hostname resolv.conf; do
  [ -e "/newroot/etc/$file" ] || touch "/newroot/etc/$file" 2>/dev/null
  mount --bind "/sg/etc/$file" "/newroot/etc/$file" 2>/dev/null || say "warning: cannot provide /etc/$file"
done

# Root in the sandbox must not reach the supervisor's memory (where the token lives once
# read) or load kernel code; the kernel command line adds lockdown=confidentiality.
[ -w /proc/sys/kernel/yama/ptrace_scope ] && echo 3 >/proc/sys/kernel/yama/ptrace_scope
echo 2 >/proc/sys/kernel/kptr_restrict
[ -w /proc/sys/kernel/modules_disabled ] && echo 1 >/proc/sys/kernel/modules_disabled

mkdir -p "/newroot$SG_WORKDIR"
sg_exec &
child=$!
say "entrypoint started (pid $child) after $(uptime_seconds)s"

# Ends the entrypoint: SIGTERM, then SIGKILL to everything but PID 1 after the grace.
stop_entrypoint() {
  kill -TERM "$child" 2>/dev/null
  ticks=0
  while kill -0 "$child" 2>/dev/null && [ "$ticks" -lt "$(($1 * 10))" ]; do
    usleep 100000
    ticks=$((ticks + 1))
  done
  kill -KILL -1 2>/dev/null
}

# The driver's commands; a read that hits EOF means the driver is not connected right now.
watch_control() {
  port=
  for entry in /sys/class/virtio-ports/*; do
    [ "$(cat "$entry/name" 2>/dev/null)" = shellgate.control ] && port=/dev/${entry##*/}
  done
  [ -n "$port" ] || return
  while :; do
    if read -r command argument <"$port"; then
      case $command in
        stop) stop_entrypoint "${argument:-10}" ;;
      esac
    else
      sleep 1
    fi
  done
}
watch_control &

wait "$child"
code=$?
say "entrypoint exited with code $code after $(uptime_seconds)s"
kill -TERM -1 2>/dev/null
usleep 100000
kill -KILL -1 2>/dev/null
power_off
