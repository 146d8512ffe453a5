import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BridgePortIsolation } from './bridge-port-isolation.js';
import type { SysfsAccess } from './bridge-port-isolation.js';

/** /sys/class/net as a map of file paths to contents; a missing directory answers ENOENT. */
function fakeSysfs(files: Map<string, string>, failWrites?: NodeJS.ErrnoException): SysfsAccess {
  const missing = (path: string) => Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return {
    readdir: async (path) => {
      const names = [...files.keys()].filter((file) => file.startsWith(`${path}/`)).map((file) => file.slice(path.length + 1).split('/')[0]!);
      if (names.length === 0) throw missing(path);
      return [...new Set(names)];
    },
    readFile: async (path) => {
      const content = files.get(path);
      if (content === undefined) throw missing(path);
      return content;
    },
    writeFile: async (path, data) => {
      if (failWrites !== undefined) throw failWrites;
      files.set(path, data);
    },
  };
}

void describe('BridgePortIsolation', () => {
  void it('marks every port of the bridge isolated, once', async () => {
    const files = new Map([
      ['/sys/class/net/podman1/brif/veth0/isolated', '1\n'],
      ['/sys/class/net/podman1/brif/veth1/isolated', '0\n'],
      ['/sys/class/net/podman9/brif/veth2/isolated', '0\n'],
    ]);
    const isolation = new BridgePortIsolation({ sysfs: fakeSysfs(files) });
    assert.equal(await isolation.isolatePorts('podman1'), 1);
    assert.equal(files.get('/sys/class/net/podman1/brif/veth1/isolated'), '1');
    assert.equal(files.get('/sys/class/net/podman9/brif/veth2/isolated'), '0\n', 'other bridges are not ours');
    assert.equal(await isolation.isolatePorts('podman1'), 0);
  });

  void it('is fine with a bridge that has no ports yet, and fails when /sys refuses the write', async () => {
    assert.equal(await new BridgePortIsolation({ sysfs: fakeSysfs(new Map()) }).isolatePorts('podman1'), 0);
    const files = new Map([['/sys/class/net/podman1/brif/veth0/isolated', '0']]);
    const readOnly = Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
    await assert.rejects(new BridgePortIsolation({ sysfs: fakeSysfs(files, readOnly) }).isolatePorts('podman1'), /EROFS/);
  });
});
