import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MissingModuleError, readModuleDependencies, resolveModuleOrder, toModuleName } from './module-order.js';

const DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  virtio_net: ['net_failover', 'virtio', 'virtio_ring'],
  net_failover: ['failover'],
  failover: [],
  virtio: ['virtio_ring'],
  virtio_ring: [],
  erofs: ['libcrc32c'],
  libcrc32c: ['crc32c_generic'],
};

describe('module order', () => {
  it('reads the depends= field of a .modinfo section', () => {
    const module = Buffer.from('\x7fELF...\0license=GPL\0depends=virtio,virtio-ring\0name=virtio_net\0');
    assert.deepEqual(readModuleDependencies(module), ['virtio', 'virtio_ring']);
    assert.deepEqual(readModuleDependencies(Buffer.from('\0depends=\0name=failover\0')), []);
    assert.deepEqual(readModuleDependencies(Buffer.from('no modinfo')), []);
  });

  it('loads every module after its dependencies, once, skipping built-in ones', () => {
    const order = resolveModuleOrder(['virtio-net', 'erofs'], new Set(Object.keys(DEPENDENCIES)), new Set(['crc32c_generic']), (name) => DEPENDENCIES[name] ?? []);
    assert.deepEqual(order, ['failover', 'net_failover', 'virtio_ring', 'virtio', 'virtio_net', 'libcrc32c', 'erofs']);
  });

  it('names a missing module and who needs it', () => {
    assert.throws(
      () => resolveModuleOrder(['erofs'], new Set(['erofs', 'libcrc32c']), new Set(), (name) => DEPENDENCIES[name] ?? []),
      (error: Error) => error instanceof MissingModuleError && /crc32c_generic \(needed by libcrc32c\)/.test(error.message),
    );
  });

  it('treats - and _ alike, as modprobe does', () => {
    assert.equal(toModuleName('virtio-rng.ko'), 'virtio_rng');
  });
});
