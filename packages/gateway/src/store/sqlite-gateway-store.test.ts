import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Sandbox, SandboxPhase } from '@shellgate/api';
import { ErrorCode, isStorageFullError, type StorageFullError } from '@shellgate/driver-sdk';
import Database from 'better-sqlite3';

import { parseLabelSelector } from '../labels/index.js';
import type { GatewayStore, SandboxRecord } from './gateway-store.js';
import { DesiredState } from './gateway-store.js';
import { STORE_MIGRATIONS } from './migrations.js';
import { openSqliteStore } from './sqlite-gateway-store.js';

const NOW_MS = 1_750_000_000_000;
const clock = { nowMs: (): number => NOW_MS };

function makeRecord(id: string, name: string, workspace = 'default', labels: Record<string, string> = {}): SandboxRecord {
  return {
    sandbox: Sandbox.fromPartial({
      metadata: { id, name, workspace, labels, annotations: { note: 'n' } },
      spec: { command: ['sleep', 'infinity'], environment: { A: '1' }, template: { image: 'alpine:3' } },
      status: { phase: SandboxPhase.SANDBOX_PHASE_PROVISIONING, conditions: [{ type: 'Ready', status: 'False', reason: 'Starting' }] },
    }),
    driver: 'docker',
    desiredState: DesiredState.Running,
    missingSinceMs: undefined,
  };
}

function names(records: readonly SandboxRecord[]): string[] {
  return records.map((record) => `${record.sandbox.metadata!.workspace}/${record.sandbox.metadata!.name}`);
}

async function rejectsWith(promise: Promise<unknown>, name: string, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string; hint?: string }) => {
    assert.equal(error.name, name);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('SqliteGatewayStore sandboxes', () => {
  let dir: string;
  let store: GatewayStore;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shellgate-store-'));
    store = await openSqliteStore({ path: join(dir, 'gateway.db'), clock });
    await store.createWorkspace('team-a');
    await store.createWorkspace('team-b');
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates at resource_version 1, fills created_at_ms, and reads back every field', async () => {
    const created = await store.createSandbox(makeRecord('sb-1', 'one'));
    assert.equal(created.sandbox.metadata!.resourceVersion, 1);
    assert.equal(created.sandbox.metadata!.createdAtMs, NOW_MS);
    const read = await store.getSandbox('sb-1');
    assert.deepEqual(read, created);
    assert.deepEqual(read.sandbox.spec!.command, ['sleep', 'infinity']);
    assert.equal(read.sandbox.status!.conditions[0]!.reason, 'Starting');
    assert.deepEqual(await store.findSandboxByName('default', 'one'), created);
    assert.equal(await store.getSandbox('nope'), undefined);
    assert.equal(await store.findSandboxByName('team-a', 'one'), undefined);
  });

  it('keeps a caller-provided created_at_ms', async () => {
    const record = makeRecord('sb-ts', 'ts');
    record.sandbox.metadata!.createdAtMs = 42;
    assert.equal((await store.createSandbox(record)).sandbox.metadata!.createdAtMs, 42);
    assert.equal(await store.deleteSandbox('sb-ts'), true);
  });

  it('returns copies: mutating a result does not change the store', async () => {
    const read = (await store.getSandbox('sb-1'))!;
    read.sandbox.metadata!.labels['x'] = 'y';
    assert.deepEqual((await store.getSandbox('sb-1'))!.sandbox.metadata!.labels, {});
  });

  it('a write is read back at its new version, also from a list, and never changed by its caller', async () => {
    const written = await store.updateSandbox('sb-1', 1, { ...(await store.getSandbox('sb-1'))!, desiredState: DesiredState.Stopped });
    written.sandbox.metadata!.labels['x'] = 'mutated after the write';
    const [listed] = await store.listSandboxes({ workspace: 'default' });
    assert.equal(listed!.sandbox.metadata!.resourceVersion, 2);
    assert.deepEqual(listed!.sandbox.metadata!.labels, {});
    assert.deepEqual(await store.getSandbox('sb-1'), listed);
    const back = await store.updateSandbox('sb-1', 2, { ...(await store.getSandbox('sb-1'))!, desiredState: DesiredState.Running });
    assert.equal(back.sandbox.metadata!.resourceVersion, 3);
    assert.equal((await store.listSandboxes({ workspace: 'default' }))[0]!.sandbox.metadata!.resourceVersion, 3);
  });

  it('names are unique per workspace, ids globally; the same name in two workspaces is fine', async () => {
    await store.createSandbox(makeRecord('sb-a', 'dup', 'team-a'));
    await store.createSandbox(makeRecord('sb-b', 'dup', 'team-b'));
    await rejectsWith(store.createSandbox(makeRecord('sb-c', 'dup', 'team-a')), 'SandboxNameTakenError', 'ALREADY_EXISTS', /"dup" already exists in workspace "team-a"/);
    await rejectsWith(store.createSandbox(makeRecord('sb-a', 'other', 'team-b')), 'SandboxIdTakenError', 'ALREADY_EXISTS', /"sb-a"/);
    await rejectsWith(store.createSandbox(makeRecord('sb-d', 'x', 'ghost')), 'WorkspaceNotFoundError', 'NOT_FOUND', /"ghost"/);
    await rejectsWith(store.createSandbox(makeRecord('', 'x')), 'InvalidStoreRecordError', 'INVALID_ARGUMENT', /metadata\.id/);
    assert.equal(await store.getSandbox('sb-c'), undefined);
  });

  it('updates by compare-and-set and rejects a stale version', async () => {
    const current = (await store.getSandbox('sb-a'))!;
    const next = { ...current, desiredState: DesiredState.Stopped, missingSinceMs: 123 };
    const updated = await store.updateSandbox('sb-a', 1, next);
    assert.equal(updated.sandbox.metadata!.resourceVersion, 2);
    assert.deepEqual(await store.getSandbox('sb-a'), updated);
    assert.equal(updated.desiredState, 'stopped');
    assert.equal(updated.missingSinceMs, 123);

    await rejectsWith(store.updateSandbox('sb-a', 1, next), 'VersionConflictError', 'ABORTED', /"sb-a".*expected resource_version 1, found 2/);
    await assert.rejects(store.updateSandbox('sb-a', 1, next), (error: { hint?: string }) => /re-read/.test(error.hint ?? ''));
    await rejectsWith(store.updateSandbox('missing', 1, makeRecord('missing', 'm')), 'SandboxRecordNotFoundError', 'NOT_FOUND', /"missing"/);
    await rejectsWith(store.updateSandbox('sb-a', 2, makeRecord('sb-z', 'dup', 'team-a')), 'InvalidStoreRecordError', 'INVALID_ARGUMENT', /ids never change/);
    assert.equal((await store.getSandbox('sb-a'))!.sandbox.metadata!.resourceVersion, 2);
  });

  it('an update cannot rename onto a taken name', async () => {
    const b = (await store.getSandbox('sb-b'))!;
    b.sandbox.metadata!.workspace = 'team-a';
    await rejectsWith(store.updateSandbox('sb-b', 1, b), 'SandboxNameTakenError', 'ALREADY_EXISTS', /team-a/);
    b.sandbox.metadata!.name = 'renamed';
    assert.equal((await store.updateSandbox('sb-b', 1, b)).sandbox.metadata!.name, 'renamed');
    b.sandbox.metadata!.workspace = 'team-b';
    b.sandbox.metadata!.name = 'dup';
    await store.updateSandbox('sb-b', 2, b);
  });

  it('deletes, optionally by compare-and-set', async () => {
    await store.createSandbox(makeRecord('sb-del', 'del'));
    await rejectsWith(store.deleteSandbox('sb-del', 7), 'VersionConflictError', 'ABORTED', /expected resource_version 7, found 1/);
    assert.equal(await store.deleteSandbox('sb-del', 1), true);
    assert.equal(await store.deleteSandbox('sb-del'), false);
    assert.equal(await store.getSandbox('sb-del'), undefined);
  });
});

describe('SqliteGatewayStore listing', () => {
  let store: GatewayStore;
  before(async () => {
    store = await openSqliteStore({ path: ':memory:', clock });
    await store.createWorkspace('w2');
    await store.createWorkspace('w1');
    const rows: Array<[string, string, string, Record<string, string>]> = [
      ['w2', 'b', 'docker', { app: 'web', env: 'dev' }],
      ['w1', 'c', 'docker', { app: 'web', env: 'prod' }],
      ['w1', 'a', 'podman', { app: 'db' }],
      ['default', 'z', 'docker', {}],
      ['w2', 'a', 'podman', { app: 'web', env: 'qa' }],
    ];
    for (const [workspace, name, driver, labels] of rows) {
      await store.createSandbox({ ...makeRecord(`${workspace}-${name}`, name, workspace, labels), driver });
    }
  });
  after(() => store.close());

  it('orders by workspace then name across every workspace', async () => {
    assert.deepEqual(names(await store.listSandboxes()), ['default/z', 'w1/a', 'w1/c', 'w2/a', 'w2/b']);
    assert.equal(await store.countSandboxes(), 5);
  });

  it('filters by workspace and driver', async () => {
    assert.deepEqual(names(await store.listSandboxes({ workspace: 'w1' })), ['w1/a', 'w1/c']);
    assert.deepEqual(names(await store.listSandboxes({ driver: 'podman' })), ['w1/a', 'w2/a']);
    assert.deepEqual(names(await store.listSandboxes({ workspace: 'w2', driver: 'docker' })), ['w2/b']);
    assert.deepEqual(await store.listSandboxes({ workspace: 'none' }), []);
    assert.equal(await store.countSandboxes({ workspace: 'w2', driver: 'docker' }), 1);
  });

  it('filters by label selector', async () => {
    const select = (text: string, workspace?: string) => store.listSandboxes({ workspace, labelSelector: parseLabelSelector(text) });
    assert.deepEqual(names(await select('app=web')), ['w1/c', 'w2/a', 'w2/b']);
    assert.deepEqual(names(await select('app=web,env notin (prod)')), ['w2/a', 'w2/b']);
    assert.deepEqual(names(await select('!app')), ['default/z']);
    assert.deepEqual(names(await select('app', 'w1')), ['w1/a', 'w1/c']);
    assert.deepEqual(names(await select('')), ['default/z', 'w1/a', 'w1/c', 'w2/a', 'w2/b']);
    assert.equal(await store.countSandboxes({ labelSelector: parseLabelSelector('app=web') }), 3);
    assert.equal(await store.countSandboxes({ workspace: 'w2', labelSelector: parseLabelSelector('env=qa') }), 1);
  });

  it('pages with limit and offset, counting matching rows only', async () => {
    assert.deepEqual(names(await store.listSandboxes({ limit: 2 })), ['default/z', 'w1/a']);
    assert.deepEqual(names(await store.listSandboxes({ limit: 2, offset: 2 })), ['w1/c', 'w2/a']);
    assert.deepEqual(names(await store.listSandboxes({ offset: 4 })), ['w2/b']);
    assert.deepEqual(names(await store.listSandboxes({ offset: 9 })), []);
    assert.deepEqual(names(await store.listSandboxes({ limit: 0 })).length, 5, 'limit 0 means no limit');
    const webPage = await store.listSandboxes({ labelSelector: parseLabelSelector('app=web'), limit: 1, offset: 1 });
    assert.deepEqual(names(webPage), ['w2/a']);
  });
});

describe('SqliteGatewayStore on full storage', () => {
  it('answers RESOURCE_EXHAUSTED naming the database, keeps what it stored, and reports every write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellgate-store-full-'));
    const path = join(dir, 'gateway.db');
    const seen: string[] = [];
    const writeObserver = { onWriteSucceeded: () => void seen.push('ok'), onStorageFull: (error: StorageFullError) => void seen.push(error.code) };
    // SQLite answers SQLITE_FULL, as on a full disk, once the file reaches max_page_count.
    const capped = { version: STORE_MIGRATIONS.length + 1, description: 'test: cap the file a few pages above its size', up: (db: Database.Database) => void db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 3}`) };
    const store = await openSqliteStore({ path, clock, migrations: [...STORE_MIGRATIONS, capped], writeObserver });
    try {
      const big = (id: string): SandboxRecord => makeRecord(id, id, 'default', { note: 'x'.repeat(3000) });
      let failure: unknown;
      let stored = 0;
      for (; stored < 50 && failure === undefined; stored += 1) failure = await store.createSandbox(big(`sb-${stored}`)).then(() => undefined, (error: unknown) => error);
      stored -= 1;
      assert.ok(stored > 0 && isStorageFullError(failure), String(failure));
      assert.equal(failure.code, ErrorCode.ResourceExhausted);
      assert.equal(failure.message, `cannot store sandbox "sb-${stored}": no space left on the filesystem holding ${path} (SQLITE_FULL)`);
      assert.deepEqual(seen.slice(-2), ['ok', ErrorCode.ResourceExhausted]);
      assert.equal(await store.countSandboxes(), stored, 'reads work and the failed create left nothing');
      assert.equal(await store.getSandbox(`sb-${stored}`), undefined);
      assert.equal(await store.deleteSandbox('sb-0'), true, 'a delete frees pages');
      assert.equal(seen.at(-1), 'ok');
    } finally {
      await store.close();
    }
    const check = new Database(path, { readonly: true });
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    check.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
