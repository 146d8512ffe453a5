import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { ErrorCode } from '@shellgate/driver-sdk';
import type { ShellgateError } from '@shellgate/driver-sdk';

import type { RunHostCommand } from '../host/run-host-command.js';
import { GuestKernels } from './guest-kernels.js';

const root = mkdtempSync(join(tmpdir(), 'sg-guest-kernels-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The smallest 64-bit ELF with no program headers: static as far as the check goes. */
function staticElf(): Buffer {
  const elf = Buffer.alloc(64);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf[5] = 1;
  return elf;
}

const listApplets: RunHostCommand = async (_file, args) => {
  assert.deepEqual(args, ['--list']);
  return 'sh\nmount\n[\nbusybox\n';
};

function kernelsWith(busybox: Buffer): GuestKernels {
  const busyboxPath = join(root, `busybox-${Math.random()}`);
  writeFileSync(busyboxPath, busybox);
  return new GuestKernels({ cacheDir: join(root, 'cache'), busyboxPath, kernelPackage: 'linux-image-cloud-amd64', kernelDeb: undefined, run: listApplets, isRoot: false });
}

describe('GuestKernels', () => {
  it('builds the initramfs of a prepared kernel once, with our /init, busybox and its modules in order', async () => {
    const kernels = kernelsWith(staticElf());
    await kernels.store.add({ id: 'debian-test-1', choice: 'debian', release: 'test', modules: ['virtio', 'erofs'], source: 'test' }, Buffer.from('ELF'), new Map([
      ['virtio', Buffer.from('virtio.ko')],
      ['erofs', Buffer.from('erofs.ko')],
    ]));
    const first = await kernels.ensure('debian', () => undefined);
    const again = await kernels.ensure('debian', () => undefined);
    assert.equal(first.initramfsPath, again.initramfsPath);
    assert.equal(readFileSync(first.vmlinuxPath, 'utf8'), 'ELF');
    const archive = readFileSync(first.initramfsPath, 'latin1');
    for (const member of ['init\0', 'bin/busybox\0', 'bin/sh\0', 'bin/[\0', 'lib/modules/erofs.ko\0', 'dev/console\0']) assert.ok(archive.includes(member), `the initramfs has ${member}`);
    assert.ok(archive.includes('virtio\nerofs\n'), '/etc/modules lists the modules in load order');
    assert.ok(archive.includes('shellgate-init'), 'the /init is ours');
  });

  it('never compiles the small kernel on its own: it names the prepare step', async () => {
    await assert.rejects(kernelsWith(staticElf()).ensure('small', () => undefined), (error: ShellgateError) => error.code === ErrorCode.FailedPrecondition && /prepare --kernel small/.test(error.hint ?? ''));
  });

  it('refuses a busybox that is not statically linked', async () => {
    const dynamic = Buffer.concat([staticElf(), Buffer.alloc(56)]);
    dynamic.writeBigUInt64LE(64n, 0x20);
    dynamic.writeUInt16LE(56, 0x36);
    dynamic.writeUInt16LE(1, 0x38);
    dynamic.writeUInt32LE(3, 64);
    const kernels = kernelsWith(dynamic);
    await kernels.store.add({ id: 'debian-test-2', choice: 'debian', release: 'test', modules: [], source: 'test' }, Buffer.from('ELF'), new Map());
    await assert.rejects(kernels.ensure('debian', () => undefined), /not a statically linked busybox/);
  });
});
