import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { createDriverRunDir, isProcessAlive, prepareDriverRunRoot, removeDriverRunDir, resolveDriverRunRoot, sweepStaleRunDirs } from './driver-run-root.js';

const scratch = mkdtempSync(join(tmpdir(), 'sg-run-root-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const LIVE_PID = 4242;
const DEAD_PID = 4343;
const isAlive = (pid: number): boolean => pid === LIVE_PID;

function freshRoot(name: string): string {
  const root = join(scratch, name);
  mkdirSync(root, { mode: 0o700 });
  return root;
}

void describe('resolveDriverRunRoot', () => {
  void it('keeps run dirs under state_dir, and falls back to a per-user dir under tmpdir only when a socket path would not fit', () => {
    assert.equal(resolveDriverRunRoot('/var/lib/shellgate'), '/var/lib/shellgate/run');
    const long = `/srv/${'a'.repeat(80)}`;
    assert.equal(resolveDriverRunRoot(long, { tmpDir: '/tmp', uid: 1000 }), '/tmp/shellgate-1000-run');
    assert.equal(resolveDriverRunRoot(long, { tmpDir: `/var/${'t'.repeat(90)}`, uid: 1000 }), '/tmp/shellgate-1000-run');
    const socketPath = join(resolveDriverRunRoot(`/srv/${'b'.repeat(68)}`), '4194304-XXXXXX', 'driver.sock');
    assert.ok(Buffer.byteLength(socketPath) <= 103, socketPath);
  });
});

void describe('sweepStaleRunDirs', () => {
  void it('removes run dirs of a dead gateway pid, keeps a live one and leaves foreign entries alone', async () => {
    const root = freshRoot('mixed');
    const entries = {
      dead: `${DEAD_PID}-abcDEF`,
      live: `${LIVE_PID}-abcDEF`,
      otherName: 'not-a-run-dir',
      shortSuffix: `${DEAD_PID}-abc`,
      file: `${DEAD_PID}-file00`,
      symlink: `${DEAD_PID}-link00`,
    };
    for (const name of [entries.dead, entries.live, entries.otherName, entries.shortSuffix]) mkdirSync(join(root, name));
    writeFileSync(join(root, entries.dead, 'config.toml'), 'x = 1\n');
    writeFileSync(join(root, entries.file), '');
    const outside = join(scratch, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(root, entries.symlink));
    const removed = await sweepStaleRunDirs(root, { isAlive, ownPid: 1 });
    assert.deepEqual(removed, [join(root, entries.dead)]);
    assert.deepEqual(readdirSync(root).sort(), [entries.file, entries.live, entries.otherName, entries.shortSuffix, entries.symlink].sort());
    assert.ok(existsSync(outside), 'a symlink is never followed');
  });

  void it("leaves another user's run dirs alone", async () => {
    const root = freshRoot('foreign-owner');
    mkdirSync(join(root, `${DEAD_PID}-abcdef`));
    const otherUid = (process.getuid?.() ?? 0) + 1;
    assert.deepEqual(await sweepStaleRunDirs(root, { isAlive, ownPid: 1, uid: otherUid }), []);
    assert.deepEqual(readdirSync(root), [`${DEAD_PID}-abcdef`]);
  });

  void it('removes an older run dir with our own pid (pid 1 in a container every start) but keeps the ones this process made', async () => {
    const root = freshRoot('own-pid');
    const older = join(root, `${process.pid}-older0`);
    mkdirSync(older);
    const current = await createDriverRunDir(root);
    assert.equal(statSync(current).mode & 0o777, 0o700);
    assert.deepEqual(await sweepStaleRunDirs(root, { isAlive: isProcessAlive }), [older]);
    assert.deepEqual(readdirSync(root), [current.slice(root.length + 1)]);
    await removeDriverRunDir(current);
    assert.deepEqual(readdirSync(root), []);
  });
});

void describe('prepareDriverRunRoot', () => {
  void it('creates the root 0700, tightens a loose one, and sweeps it', async () => {
    const root = join(scratch, 'created', 'run');
    assert.deepEqual(await prepareDriverRunRoot(root, { isAlive }), []);
    assert.equal(statSync(root).mode & 0o777, 0o700);
    chmodSync(root, 0o755);
    mkdirSync(join(root, `${DEAD_PID}-zzzzzz`));
    assert.deepEqual(await prepareDriverRunRoot(root, { isAlive }), [join(root, `${DEAD_PID}-zzzzzz`)]);
    assert.equal(statSync(root).mode & 0o777, 0o700);
  });

  void it('refuses a root that is a symlink or belongs to another user', async () => {
    const target = freshRoot('symlink-target');
    const link = join(scratch, 'symlinked-run');
    symlinkSync(target, link);
    await assert.rejects(prepareDriverRunRoot(link), { name: 'ShellgateError', code: 'FAILED_PRECONDITION', message: new RegExp(`driver run directory ${link} is not a directory owned by uid`) });
    const otherUid = (process.getuid?.() ?? 0) + 1;
    await assert.rejects(prepareDriverRunRoot(freshRoot('someone-else'), { uid: otherUid }), { code: 'FAILED_PRECONDITION' });
  });
});
