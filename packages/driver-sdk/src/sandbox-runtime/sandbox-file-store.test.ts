import assert from 'node:assert/strict';
import * as fsPromises from 'node:fs/promises';
import { mkdtemp, readFile, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ErrorCode, isShellgateError } from '../errors.js';
import { isStorageFullError } from '../storage-full-error.js';
import { resolveDriverStateDir } from './driver-state-dir.js';
import { SandboxFileStore } from './sandbox-file-store.js';
import type { SandboxFileSystem } from './sandbox-file-store.js';

/** The real file system, except that writing a file fails the way a full disk does. */
function fullDiskFs(code: 'ENOSPC' | 'EDQUOT'): SandboxFileSystem {
  const writeFile: SandboxFileSystem['writeFile'] = async (path) => {
    // A full disk leaves a partial file behind before it fails.
    await fsPromises.writeFile(path, 'partial', { mode: 0o600 });
    throw Object.assign(new Error(`${code}: no space left on device, write`), { code });
  };
  return { ...fsPromises, writeFile };
}

async function withStore(test: (store: SandboxFileStore) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'sg-sdk-state-'));
  try {
    await test(new SandboxFileStore(join(root, 'state')));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

void describe('SandboxFileStore', () => {
  void it('creates state_dir 0700 and writes the token 0600 in a 0700 directory', () =>
    withStore(async (store) => {
      await store.prepare();
      assert.equal((await stat(store.rootDir)).mode & 0o777, 0o700);
      const path = await store.writeToken('sbx-1', 'jwt-secret');
      assert.equal(await readFile(path, 'utf8'), 'jwt-secret');
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.equal((await stat(store.sandboxDir('sbx-1'))).mode & 0o777, 0o700);
      await store.writeToken('sbx-1', 'jwt-rotated');
      assert.equal(await readFile(path, 'utf8'), 'jwt-rotated');
      assert.equal(await readFile(store.keptTokenPath('sbx-1'), 'utf8'), 'jwt-rotated');
      assert.equal((await stat(store.keptTokenPath('sbx-1'))).mode & 0o777, 0o600);
      assert.deepEqual((await readdir(store.sandboxDir('sbx-1'))).sort(), ['token', 'token.kept']);
    }));

  void it('delivers the token again from the kept copy after the supervisor emptied the file', () =>
    withStore(async (store) => {
      await store.prepare();
      const path = await store.writeToken('sbx-1', 'jwt-secret');
      await truncate(path, 0);
      assert.equal(await store.deliverToken('sbx-1'), path);
      assert.equal(await readFile(path, 'utf8'), 'jwt-secret');
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.deepEqual((await readdir(store.sandboxDir('sbx-1'))).sort(), ['token', 'token.kept'], 'no temp file left');
    }));

  void it('adopts the token file of a sandbox from before the kept copy, and refuses when there is no token at all', () =>
    withStore(async (store) => {
      await store.prepare();
      const path = await store.writeToken('sbx-old', 'jwt-old');
      await rm(store.keptTokenPath('sbx-old'));
      await store.deliverToken('sbx-old');
      assert.equal(await readFile(store.keptTokenPath('sbx-old'), 'utf8'), 'jwt-old');
      await truncate(path, 0);
      await rm(store.keptTokenPath('sbx-old'));
      await assert.rejects(store.deliverToken('sbx-old'), (error: unknown) => isShellgateError(error) && error.code === ErrorCode.FailedPrecondition && /has no token to deliver/.test(error.message));
      await assert.rejects(store.deliverToken('never-created'), /has no token to deliver/);
    }));

  void it('keeps state across instances and removes everything of a sandbox', () =>
    withStore(async (store) => {
      await store.prepare();
      await store.writeToken('sbx-1', 't');
      await store.writeState({ id: 'sbx-1', name: 'a', namespace: '', workspace: '', isStoppedByUs: true });
      const reopened = new SandboxFileStore(store.rootDir);
      assert.equal((await reopened.readState('sbx-1'))?.isStoppedByUs, true);
      assert.equal((await reopened.listStates()).length, 1);
      await reopened.remove('sbx-1');
      assert.equal(await reopened.readState('sbx-1'), undefined);
      await assert.rejects(stat(store.sandboxDir('sbx-1')));
      await reopened.remove('sbx-1');
    }));

  for (const code of ['ENOSPC', 'EDQUOT'] as const) {
    void it(`answers ${code} with RESOURCE_EXHAUSTED naming the state dir, and keeps the previous file whole`, () =>
      withStore(async (healthy) => {
        await healthy.prepare();
        await healthy.writeToken('sbx-1', 'jwt-old');
        await healthy.writeState({ id: 'sbx-1', name: 'a', namespace: '', workspace: '', isStoppedByUs: false });
        const full = new SandboxFileStore(healthy.rootDir, { fs: fullDiskFs(code) });
        for (const write of [() => full.writeToken('sbx-1', 'jwt-new'), () => full.writeState({ id: 'sbx-1', name: 'a', namespace: '', workspace: '', isStoppedByUs: true })]) {
          await assert.rejects(write(), (error: unknown) => {
            assert.ok(isStorageFullError(error), String(error));
            assert.equal(error.code, ErrorCode.ResourceExhausted);
            assert.equal(error.path, healthy.rootDir);
            assert.match(error.message, new RegExp(`no space left on the filesystem holding ${healthy.rootDir} \\(${code}\\)`));
            assert.match(error.message, /sandbox "sbx-1"/);
            assert.match(error.hint ?? '', /free space/);
            return true;
          });
        }
        assert.equal(await readFile(healthy.tokenPath('sbx-1'), 'utf8'), 'jwt-old');
        assert.equal((await healthy.readState('sbx-1'))?.isStoppedByUs, false);
        assert.deepEqual((await readdir(healthy.sandboxDir('sbx-1'))).sort(), ['state.json', 'token', 'token.kept'], 'no partial temp file left');
      }));
  }

  void it('passes errors other than a full disk through unchanged', () =>
    withStore(async (store) => {
      const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      const failing = new SandboxFileStore(store.rootDir, { fs: { ...fsPromises, mkdir: async () => Promise.reject(denied) } });
      await assert.rejects(failing.prepare(), (error: unknown) => error === denied);
    }));

  void it('never uses an unsafe id as a path', () =>
    withStore(async (store) => {
      assert.ok(!store.sandboxDir('../../etc').includes('..'));
    }));
});

void describe('resolveDriverStateDir', () => {
  void it('prefers state_dir, then root default, then XDG_STATE_HOME, then ~/.local/state', () => {
    const base = { driverDirName: 'driver-docker', configured: undefined, env: {}, uid: 1000, homeDir: '/home/me' };
    assert.equal(resolveDriverStateDir({ ...base, configured: '/srv/sg' }), '/srv/sg');
    assert.equal(resolveDriverStateDir({ ...base, uid: 0 }), '/var/lib/shellgate/driver-docker');
    assert.equal(resolveDriverStateDir({ ...base, env: { XDG_STATE_HOME: '/xdg' } }), '/xdg/shellgate/driver-docker');
    assert.equal(resolveDriverStateDir(base), '/home/me/.local/state/shellgate/driver-docker');
    assert.equal(resolveDriverStateDir({ ...base, env: { XDG_STATE_HOME: 'relative' } }), '/home/me/.local/state/shellgate/driver-docker');
  });
});
