import { join } from 'node:path';

import { GUEST_GATEWAY_ADDRESS } from '../guest/config-disk.js';

/** How guest code runs: hardware virtualization, or QEMU's emulator. */
export const Accelerator = {
  Kvm: 'kvm',
  Tcg: 'tcg',
} as const;
export type Accelerator = (typeof Accelerator)[keyof typeof Accelerator];

/** A virtio disk; `/init` finds it by `serial`. Read-write disks get two fds (see {@link toQemuArgs}). */
export interface QemuDisk {
  readonly serial: string;
  readonly isReadOnly: boolean;
}

/** One boot of one VM, in our terms; {@link toQemuArgs} turns it into QEMU's. */
export interface QemuBoot {
  /** Shown by `ps` and QMP: letters, digits, `.`, `_` and `-` are kept. */
  readonly name: string;
  readonly accelerator: Accelerator;
  readonly vcpus: number;
  readonly memoryMib: number;
  /** Directory of the QMP, console and control sockets (writable by QEMU's uid). */
  readonly runDir: string;
  /** In order; fds are handed over in the same order (see {@link toQemuArgs}). */
  readonly disks: readonly QemuDisk[];
  /** Absent: no network card (the accelerator probe). */
  readonly network?: {
    readonly isOutboundAllowed: boolean;
    /** The guest's port for the gateway, and the host port the forward connects to. */
    readonly gatewayPort: number;
    /** The host address the forward connects to (the gateway's callback listener). */
    readonly callbackAddress: string;
    /** argv that connects stdin/stdout to `callbackAddress:gatewayPort`, run per connection. */
    readonly connector: readonly string[];
  };
  /** Extra kernel arguments (the accelerator probe's marker). */
  readonly kernelArgs?: readonly string[];
}

/** Socket names in the run dir. */
export const QemuSocket = {
  Qmp: 'qmp.sock',
  Console: 'console.sock',
  Control: 'control.sock',
} as const;

/** The virtio-serial port name `/init` reads commands from. */
export const CONTROL_PORT_NAME = 'shellgate.control';

/** The first fd QEMU inherits beyond stdio: the kernel, then the initramfs, then the disks. */
export const FIRST_INHERITED_FD = 3;

/**
 * Kernel arguments for a fast microvm boot (measured in ../shared/notes/vm.md: about 0.85 s
 * faster than defaults), hardened for untrusted guests: only the lockdown and yama LSMs,
 * lockdown in confidentiality mode (no /dev/mem, /proc/kcore, kexec or unsigned modules).
 */
const BASE_KERNEL_ARGS = [
  'console=ttyS0',
  'quiet',
  'panic=-1',
  'pci=off',
  'cryptomgr.notests',
  'audit=0',
  'lsm=lockdown,yama',
  'lockdown=confidentiality',
  'tsc=reliable',
  'no_timer_check',
];

/**
 * microvm under TCG boots only with a fixed TSC frequency known to the kernel early (else it
 * hangs calibrating). Mitigations guard against speculation, which TCG's emulated CPU does
 * not do; with KVM the guest keeps the kernel's defaults.
 */
const TCG_KERNEL_ARGS = ['tsc_early_khz=2000000', 'mitigations=off'];

/**
 * QEMU's own seccomp filter. `spawn` and `elevateprivileges` stay allowed because the
 * gateway forward forks one connector per guest connection and libslirp calls setsid() in
 * the child; QEMU already runs as an unprivileged uid, so set*uid cannot raise anything.
 */
const SANDBOX_OPTIONS = 'on,obsolete=deny,elevateprivileges=allow,spawn=allow,resourcecontrol=deny';

/** Doubles commas: QEMU's option syntax splits on single ones. */
function escapeOption(value: string): string {
  return value.replaceAll(',', ',,');
}

function toSafeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'sandbox';
}

function toAcceleratorArgs(boot: QemuBoot): string[] {
  if (boot.accelerator === Accelerator.Kvm) return ['-accel', 'kvm', '-cpu', 'host,-arch-capabilities'];
  return ['-accel', `tcg,thread=${boot.vcpus > 1 ? 'multi' : 'single'}`, '-cpu', 'qemu64,tsc-frequency=2000000000'];
}

function toDiskArgs(disks: readonly QemuDisk[], firstFd: number): string[] {
  const args: string[] = [];
  let fd = firstFd;
  disks.forEach((disk, index) => {
    const set = index + 1;
    // QEMU reopens a read-write image read-only while probing it, and an fd set hands out
    // an fd only for the exact access mode asked for: a read-write disk needs both.
    args.push('-add-fd', `fd=${fd++},set=${set}`);
    if (!disk.isReadOnly) args.push('-add-fd', `fd=${fd++},set=${set}`);
    const drive = `id=${disk.serial},file=/dev/fdset/${set},format=raw,if=none,cache=unsafe${disk.isReadOnly ? ',readonly=on' : ',discard=unmap'}`;
    args.push('-drive', drive, '-device', `virtio-blk-device,drive=${disk.serial},serial=${disk.serial}`);
  });
  return args;
}

function toNetworkArgs(network: QemuBoot['network']): string[] {
  if (network === undefined) return [];
  const connector = network.connector.join(' ');
  const user = [
    'user',
    'id=net0',
    `restrict=${network.isOutboundAllowed ? 'off' : 'on'}`,
    `guestfwd=tcp:${GUEST_GATEWAY_ADDRESS}:${network.gatewayPort}-cmd:${escapeOption(connector)}`,
  ];
  return ['-netdev', user.join(','), '-device', 'virtio-net-device,netdev=net0'];
}

function socketChardev(id: string, path: string): string {
  return `socket,id=${id},path=${escapeOption(path)},server=on,wait=off`;
}

/**
 * QEMU's argv for a boot. The kernel and initramfs are read through `/proc/self/fd/3` and
 * `/proc/self/fd/4`, and every disk through an fd set (`-add-fd`), so QEMU needs no access
 * to the driver's state directory: the driver opens the files and hands over the fds, in
 * this order: kernel, initramfs, then each disk's read-write fd (if writable) and its
 * read-only fd. Nothing secret is ever on this command line.
 */
export function toQemuArgs(boot: QemuBoot): string[] {
  const kernelArgs = [...BASE_KERNEL_ARGS, ...(boot.accelerator === Accelerator.Tcg ? TCG_KERNEL_ARGS : []), ...(boot.kernelArgs ?? [])];
  return [
    '-name', toSafeName(boot.name),
    '-machine', 'microvm,acpi=on',
    ...toAcceleratorArgs(boot),
    '-m', String(boot.memoryMib),
    '-smp', String(boot.vcpus),
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-sandbox', SANDBOX_OPTIONS,
    '-kernel', `/proc/self/fd/${FIRST_INHERITED_FD}`,
    '-initrd', `/proc/self/fd/${FIRST_INHERITED_FD + 1}`,
    '-append', kernelArgs.join(' '),
    '-chardev', socketChardev('qmp', join(boot.runDir, QemuSocket.Qmp)),
    '-mon', 'chardev=qmp,mode=control',
    '-chardev', socketChardev('console', join(boot.runDir, QemuSocket.Console)),
    '-serial', 'chardev:console',
    '-device', 'virtio-serial-device',
    '-chardev', socketChardev('control', join(boot.runDir, QemuSocket.Control)),
    '-device', `virtserialport,chardev=control,name=${CONTROL_PORT_NAME}`,
    '-device', 'virtio-rng-device',
    ...toDiskArgs(boot.disks, FIRST_INHERITED_FD + 2),
    ...toNetworkArgs(boot.network),
  ];
}
