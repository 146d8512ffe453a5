import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Sandbox } from '@shellgate/api';

import { prepareDatabaseFile } from './database-file.js';
import type { StoreFileSystem } from './database-file.js';
import { DesiredState } from './gateway-store.js';
import { openSqliteStore } from './sqlite-gateway-store.js';

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

describe('store file permissions', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shellgate-modes-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the directory 0700 and the database, WAL and SHM files 0600', async () => {
    const stateDir = join(dir, 'state', 'nested');
    const path = join(stateDir, 'gateway.db');
    const previousUmask = process.umask(0o000);
    try {
      const store = await openSqliteStore({ path });
      await store.createSandbox({
        sandbox: Sandbox.fromPartial({ metadata: { id: 'a', name: 'a', workspace: 'default' } }),
        driver: 'docker',
        desiredState: DesiredState.Running,
        missingSinceMs: undefined,
      });
      assert.equal(modeOf(stateDir), '700');
      assert.equal(modeOf(join(dir, 'state')), '700');
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        assert.ok(existsSync(file), `${file} exists while open`);
        assert.equal(modeOf(file), '600', file);
      }
      await store.close();
    } finally {
      process.umask(previousUmask);
    }
  });

  it('tightens an existing loose database and leaves an existing directory alone', async () => {
    const path = join(dir, 'loose.db');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    chmodSync(dir, 0o755);
    await (await openSqliteStore({ path })).close();
    assert.equal(modeOf(path), '600');
    assert.equal(modeOf(dir), '755');
  });

  it('goes through the injected file system', () => {
    const calls: string[] = [];
    const fake: StoreFileSystem = {
      existsSync: () => false,
      mkdirSync: (path, options) => {
        calls.push(`mkdir ${String(path)} ${JSON.stringify(options)}`);
        return undefined;
      },
      openSync: (path, flags, mode) => {
        calls.push(`open ${String(path)} ${String(flags)} ${Number(mode).toString(8)}`);
        return 7;
      },
      closeSync: (fd) => calls.push(`close ${fd}`),
      chmodSync: (path, mode) => calls.push(`chmod ${String(path)} ${Number(mode).toString(8)}`),
    };
    prepareDatabaseFile('/srv/state/gateway.db', fake);
    assert.deepEqual(calls, [
      'mkdir /srv/state {"recursive":true,"mode":448}',
      'chmod /srv/state 700',
      'open /srv/state/gateway.db a 600',
      'close 7',
      'chmod /srv/state/gateway.db 600',
    ]);
  });
});
