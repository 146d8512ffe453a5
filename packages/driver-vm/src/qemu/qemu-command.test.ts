import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { QemuBoot } from './qemu-command.js';
import { Accelerator, toQemuArgs } from './qemu-command.js';

const BOOT: QemuBoot = {
  name: 'sandbox,1',
  accelerator: Accelerator.Tcg,
  vcpus: 1,
  memoryMib: 512,
  runDir: '/run/vm-1',
  disks: [
    { serial: 'sg-base', isReadOnly: true },
    { serial: 'sg-state', isReadOnly: false },
    { serial: 'sg-config', isReadOnly: false },
  ],
  network: { isOutboundAllowed: false, gatewayPort: 17670, callbackAddress: '127.0.0.2', connector: ['/bin/busybox', 'nc', '127.0.0.2', '17670'] },
};

function valueOf(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, index) => (arg === flag ? [args[index + 1] ?? ''] : []));
}

describe('toQemuArgs', () => {
  it('boots a microvm from inherited fds: kernel 3, initramfs 4, then one fd per read-only disk and two per writable one', () => {
    const args = toQemuArgs(BOOT);
    assert.deepEqual(valueOf(args, '-machine'), ['microvm,acpi=on']);
    assert.deepEqual(valueOf(args, '-kernel'), ['/proc/self/fd/3']);
    assert.deepEqual(valueOf(args, '-initrd'), ['/proc/self/fd/4']);
    assert.deepEqual(valueOf(args, '-add-fd'), ['fd=5,set=1', 'fd=6,set=2', 'fd=7,set=2', 'fd=8,set=3', 'fd=9,set=3']);
    const drives = valueOf(args, '-drive');
    assert.match(drives[0]!, /^id=sg-base,file=\/dev\/fdset\/1,.*readonly=on/);
    assert.doesNotMatch(drives[1]!, /readonly/);
    assert.ok(valueOf(args, '-device').includes('virtio-blk-device,drive=sg-config,serial=sg-config'));
    assert.ok(args.includes('-no-reboot') && args.includes('-nodefaults'), 'a guest reboot ends QEMU; no default devices');
    assert.deepEqual(valueOf(args, '-name'), ['sandbox_1']);
  });

  it('runs QEMU under its seccomp sandbox and talks QMP, console and control over sockets in the run dir', () => {
    const args = toQemuArgs(BOOT);
    assert.match(valueOf(args, '-sandbox')[0]!, /^on,obsolete=deny,.*resourcecontrol=deny/);
    assert.deepEqual(valueOf(args, '-chardev').map((chardev) => chardev.split(',')[1]), ['id=qmp', 'id=console', 'id=control']);
    assert.ok(valueOf(args, '-chardev').every((chardev) => chardev.includes('path=/run/vm-1/') && chardev.endsWith('server=on,wait=off')));
  });

  it('restricts the network to a per-connection forward to the gateway unless outbound access is allowed', () => {
    const restricted = valueOf(toQemuArgs(BOOT), '-netdev')[0]!;
    assert.equal(restricted, 'user,id=net0,restrict=on,guestfwd=tcp:10.0.2.100:17670-cmd:/bin/busybox nc 127.0.0.2 17670');
    const open = valueOf(toQemuArgs({ ...BOOT, network: { ...BOOT.network!, isOutboundAllowed: true } }), '-netdev')[0]!;
    assert.match(open, /restrict=off/);
    assert.deepEqual(valueOf(toQemuArgs({ ...BOOT, network: undefined }), '-netdev'), []);
  });

  it('uses TCG with a fixed TSC (and multi-threaded TCG for several vCPUs), or KVM with the host CPU', () => {
    const tcg = toQemuArgs({ ...BOOT, vcpus: 2 });
    assert.deepEqual(valueOf(tcg, '-accel'), ['tcg,thread=multi']);
    assert.match(valueOf(tcg, '-append')[0]!, /tsc_early_khz=2000000 mitigations=off/);
    const kvm = toQemuArgs({ ...BOOT, accelerator: Accelerator.Kvm });
    assert.deepEqual(valueOf(kvm, '-accel'), ['kvm']);
    assert.deepEqual(valueOf(kvm, '-cpu'), ['host,-arch-capabilities']);
    assert.doesNotMatch(valueOf(kvm, '-append')[0]!, /mitigations=off/);
    assert.match(valueOf(kvm, '-append')[0]!, /lockdown=confidentiality/);
  });
});
