import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Sandbox } from '@shellgate/api';
import Database from 'better-sqlite3';

import { DesiredState } from './gateway-store.js';
import { STORE_MIGRATIONS, runMigrations } from './migrations.js';
import type { Migration } from './migrations.js';
import { openSqliteStore } from './sqlite-gateway-store.js';

describe('store migrations', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shellgate-migrations-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every record across close and reopen, and migrates only once', async () => {
    const path = join(dir, 'reopen.db');
    const first = await openSqliteStore({ path, clock: { nowMs: () => 1000 } });
    await first.createWorkspace('team', { a: 'b' });
    await first.createSandbox({
      sandbox: Sandbox.fromPartial({ metadata: { id: 'sb-1', name: 'one', workspace: 'team', labels: { k: 'v' } }, spec: { tty: true } }),
      driver: 'podman',
      desiredState: DesiredState.Stopped,
      missingSinceMs: 5,
    });
    const before = await first.getSandbox('sb-1');
    await first.close();

    const second = await openSqliteStore({ path, clock: { nowMs: () => 2000 } });
    assert.equal(second.schemaVersion, STORE_MIGRATIONS.length);
    assert.deepEqual(await second.getSandbox('sb-1'), before);
    assert.deepEqual((await second.getWorkspace('team'))?.metadata?.labels, { a: 'b' });
    assert.equal((await second.getWorkspace('default'))?.metadata?.createdAtMs, 1000, 'default workspace seeded once');
    await second.close();

    const db = new Database(path);
    const applied = db.prepare('SELECT version, applied_at_ms FROM schema_migrations ORDER BY version').all();
    db.close();
    assert.deepEqual(applied, STORE_MIGRATIONS.map((migration) => ({ version: migration.version, applied_at_ms: 1000 })));
  });

  it('runs each new step once, in order, each in its own transaction', () => {
    const db = new Database(':memory:');
    const ran: number[] = [];
    const step = (version: number): Migration => ({
      version,
      description: `step ${version}`,
      up: (database) => {
        ran.push(version);
        database.exec(`CREATE TABLE t${version} (x INTEGER)`);
      },
    });
    assert.equal(runMigrations(db, ':memory:', 1, [step(2), step(1)]), 2);
    assert.equal(runMigrations(db, ':memory:', 2, [step(1), step(2)]), 2);
    assert.equal(runMigrations(db, ':memory:', 3, [step(1), step(2), step(3)]), 3);
    assert.deepEqual(ran, [1, 2, 3]);
    db.close();
  });

  it('rolls a failing step back completely', () => {
    const db = new Database(':memory:');
    const broken: Migration = {
      version: 1,
      description: 'broken',
      up: (database) => {
        database.exec('CREATE TABLE half (x INTEGER)');
        throw new Error('boom');
      },
    };
    assert.throws(() => runMigrations(db, ':memory:', 1, [broken]), /boom/);
    assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get(), undefined);
    assert.equal(runMigrations(db, ':memory:', 1, []), 0);
    db.close();
  });

  it('refuses a database from a newer gateway, naming both versions and the fix', async () => {
    const path = join(dir, 'newer.db');
    await (await openSqliteStore({ path })).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES (99, ?, 0)').run('from the future');
    db.close();
    await assert.rejects(openSqliteStore({ path }), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.name, 'StoreSchemaTooNewError');
      assert.equal(error.code, 'FAILED_PRECONDITION');
      assert.equal(error.message, `store ${path} has schema version 99, but this gateway only knows schema versions up to ${STORE_MIGRATIONS.length}`);
      assert.match(error.hint ?? '', /upgrade the gateway/);
      return true;
    });
  });

  it('reports an unopenable path as UNAVAILABLE with the path', async () => {
    // A regular file where the state directory should be.
    writeFileSync(join(dir, 'not-a-dir'), '');
    const path = join(dir, 'not-a-dir', 'gateway.db');
    await assert.rejects(openSqliteStore({ path }), (error: Error & { code?: string }) => {
      assert.equal(error.name, 'StoreUnavailableError');
      assert.equal(error.code, 'UNAVAILABLE');
      assert.ok(error.message.startsWith(`cannot open store ${path}: `), error.message);
      return true;
    });
  });
});
