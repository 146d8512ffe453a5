import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ErrorCode, isStorageFullError, type StorageFullError } from '@shellgate/driver-sdk';
import Database from 'better-sqlite3';

import type { SandboxRecord } from './gateway-store.js';
import { STORE_MIGRATIONS } from './migrations.js';
import { openSqliteStore } from './sqlite-gateway-store.js';
import { CONTRACT_NOW_MS, makeRecord } from './testing/index.js';

const clock = { nowMs: (): number => CONTRACT_NOW_MS };

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
