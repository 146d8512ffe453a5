import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';

import { openPostgresStore } from './postgres-gateway-store.js';
import type { PostgresGatewayStore } from './postgres-gateway-store.js';
import type { StoreChange } from './store-change-feed.js';
import { CuttableTcpProxy, createPostgresTestDatabase, makeRecord, testPostgresCaFile } from './testing/index.js';
import type { PostgresTestDatabase } from './testing/index.js';

// Needs SHELLGATE_TEST_POSTGRES_URL (scripts/engines/postgres.sh); fails without it, never skips.

/** Resolves with the first change `predicate` accepts, or rejects after `timeoutMs`. */
function nextChange(store: PostgresGatewayStore, predicate: (change: StoreChange) => boolean, timeoutMs = 5_000): Promise<StoreChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no matching store change within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = store.subscribeChanges((change) => {
      if (!predicate(change)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(change);
    });
  });
}

describe('PostgresGatewayStore across replicas', () => {
  let database: PostgresTestDatabase;
  let a: PostgresGatewayStore;
  let b: PostgresGatewayStore;
  before(async () => {
    database = await createPostgresTestDatabase();
    // Replicas starting together: the advisory lock makes each schema step run once.
    [a, b] = await Promise.all([openPostgresStore({ url: database.url, poolSize: 2 }), openPostgresStore({ url: database.url, poolSize: 2 })]);
    assert.equal(a.schemaVersion, b.schemaVersion);
  });
  after(async () => {
    await a.close();
    await b.close();
    await database.drop();
  });

  it("tells one replica about the other's committed writes, never about its own", async () => {
    const seenByA: StoreChange[] = [];
    const stopA = a.subscribeChanges((change) => seenByA.push(change));
    const created = nextChange(b, (change) => change.kind === 'sandbox' && change.id === 'sb-feed');
    await new Promise((resolve) => setTimeout(resolve, 200)); // both listeners connected
    await a.createSandbox(makeRecord('sb-feed', 'feed'));
    assert.deepEqual(await created, { kind: 'sandbox', id: 'sb-feed', workspace: 'default', name: 'feed', resourceVersion: 1, isDeleted: false });
    const read = await b.getSandbox('sb-feed');
    assert.equal(read?.sandbox.metadata?.name, 'feed');

    const updated = nextChange(b, (change) => change.kind === 'sandbox' && change.resourceVersion === 2);
    await a.updateSandbox('sb-feed', 1, { ...read, missingSinceMs: 5 });
    await updated;
    assert.equal((await b.getSandbox('sb-feed'))?.missingSinceMs, 5, 'a cached object never hides a newer version');

    const deleted = nextChange(b, (change) => change.kind === 'sandbox' && change.isDeleted);
    await a.deleteSandbox('sb-feed');
    assert.equal((await deleted).kind, 'sandbox');
    const workspace = nextChange(b, (change) => change.kind === 'workspace');
    await a.createWorkspace('feed-ws');
    assert.deepEqual(await workspace, { kind: 'workspace', name: 'feed-ws', resourceVersion: 1, isDeleted: false });
    stopA();
    assert.deepEqual(seenByA, [], 'a store never hears its own writes');
  });

  it('a fenced write on one replica fails once the other replica took the lease', async () => {
    const lease = await a.acquireLease('leader', 'replica-a', 200);
    const fenced = a.withFence({ name: 'leader', holder: 'replica-a', epoch: lease.epoch });
    await fenced.createSandbox(makeRecord('sb-lead', 'lead'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const taken = await b.acquireLease('leader', 'replica-b', 60_000);
    assert.deepEqual({ holder: taken.holder, epoch: taken.epoch }, { holder: 'replica-b', epoch: lease.epoch + 1 });
    await assert.rejects(fenced.deleteSandbox('sb-lead'), { name: 'LeaseLostError' });
    assert.equal((await b.getSandbox('sb-lead'))?.sandbox.metadata?.resourceVersion, 1);
  });

  it('a fenced update waiting on a takeover in flight writes nothing once the takeover commits', async () => {
    const lease = await a.acquireLease('leader-race', 'replica-a', 60_000);
    const fenced = a.withFence({ name: 'leader-race', holder: 'replica-a', epoch: lease.epoch });
    const created = await fenced.createSandbox(makeRecord('sb-race', 'race'));
    const taker = new pg.Client({ connectionString: database.url });
    await taker.connect();
    try {
      // Another replica's takeover, holding the lease row as acquireLease does, not committed yet.
      await taker.query('BEGIN');
      await taker.query("SELECT 1 FROM leases WHERE name = 'leader-race' FOR UPDATE");
      await taker.query("UPDATE leases SET holder = 'replica-b', epoch = epoch + 1 WHERE name = 'leader-race'");
      const write = fenced.updateSandbox('sb-race', 1, { ...created, missingSinceMs: 1 });
      let settled = false;
      void write.then(() => (settled = true), () => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(settled, false, 'the fenced write waits for the lease row');
      await taker.query('COMMIT');
      await assert.rejects(write, { name: 'LeaseLostError' });
    } finally {
      await taker.end();
    }
    assert.equal((await b.getSandbox('sb-race'))?.sandbox.metadata?.resourceVersion, 1, 'nothing was written');
  });

  it('reports a resync after its listening connection was cut, then hears changes again', async () => {
    const resync = nextChange(b, (change) => change.kind === 'resync', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      // Every other connection to this database: both stores' pools and listeners.
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    } finally {
      await admin.end();
    }
    assert.equal((await resync).kind, 'resync');
    const heard = nextChange(b, (change) => change.kind === 'sandbox' && change.id === 'sb-after');
    await a.createSandbox(makeRecord('sb-after', 'after'));
    assert.equal((await heard).kind, 'sandbox');
  });
});

describe('PostgresGatewayStore failures', () => {
  it('answers UNAVAILABLE for a server that refuses connections, naming the URL without its password', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    await once(server, 'close');
    const url = `postgres://gw:s3cret-pw@127.0.0.1:${port}/shellgate`;
    await assert.rejects(openPostgresStore({ url, connectTimeoutMs: 2_000 }), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.name, 'StoreUnavailableError');
      assert.equal(error.code, 'UNAVAILABLE');
      assert.match(error.message, new RegExp(`cannot open store postgres://gw:\\*\\*\\*@127\\.0\\.0\\.1:${port}/shellgate: .*ECONNREFUSED`));
      assert.match(error.hint ?? '', /reachable/);
      assert.doesNotMatch(`${error.message} ${error.hint ?? ''} ${JSON.stringify(error)}`, /s3cret/);
      return true;
    });
  });

  it('refuses a wrong password with a hint about credentials, and a database written by a newer gateway', async () => {
    const database = await createPostgresTestDatabase();
    try {
      const wrong = new URL(database.url);
      wrong.password = 'not-the-password';
      await assert.rejects(openPostgresStore({ url: wrong.toString() }), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, 'UNAVAILABLE');
        assert.match(error.hint ?? '', /password/);
        assert.doesNotMatch(error.message, /not-the-password/);
        return true;
      });
      const store = await openPostgresStore({ url: database.url });
      await store.close();
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query("INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES (99, 'from the future', 0)");
      await admin.end();
      await assert.rejects(openPostgresStore({ url: database.url }), (error: Error & { code?: string }) => {
        assert.equal(error.name, 'StoreSchemaTooNewError');
        assert.equal(error.code, 'FAILED_PRECONDITION');
        assert.match(error.message, /has schema version 99, but this gateway only knows schema versions up to 1/);
        assert.doesNotMatch(error.message, new RegExp(new URL(database.url).password));
        return true;
      });
    } finally {
      await database.drop();
    }
  });
});

describe('PostgresGatewayStore over TLS', () => {
  let database: PostgresTestDatabase;
  before(async () => {
    database = await createPostgresTestDatabase();
  });
  after(() => database.drop());

  it('connects with verify-full against the CA that signed the server, and every connection is encrypted', async () => {
    const store = await openPostgresStore({ url: database.url, sslMode: 'verify-full', sslCaFile: testPostgresCaFile(), poolSize: 2 });
    try {
      await store.createSandbox(makeRecord('sb-tls', 'tls'));
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ ssl: boolean }>(
          `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
           WHERE a.datname = current_database() AND a.application_name = 'shellgate-gateway'`,
        );
        assert.ok(rows.length > 0 && rows.every((row) => row.ssl), JSON.stringify(rows));
      } finally {
        await admin.end();
      }
    } finally {
      await store.close();
    }
  });

  it('refuses a server certificate it cannot verify, with a hint about the TLS settings', async () => {
    await assert.rejects(openPostgresStore({ url: database.url, sslMode: 'verify-full', connectTimeoutMs: 3_000 }), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, 'UNAVAILABLE');
      assert.match(error.hint ?? '', /database_ssl_mode/);
      return true;
    });
  });
});

describe('PostgresGatewayStore through a database outage', () => {
  it('answers UNAVAILABLE while the database is gone and recovers by itself, re-reading what it missed', async () => {
    const database = await createPostgresTestDatabase();
    const direct = new URL(database.url);
    const proxy = new CuttableTcpProxy(direct.hostname, Number(direct.port));
    await proxy.start();
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.listenPort);
    const store = await openPostgresStore({ url: viaProxy.toString(), connectTimeoutMs: 1_000, poolSize: 2 });
    const other = await openPostgresStore({ url: database.url, poolSize: 1 });
    try {
      const heard = nextChange(store, (change) => change.kind === 'sandbox' && change.id === 'sb-before');
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.createSandbox(makeRecord('sb-before', 'before'));
      await heard;

      await proxy.cut();
      const unavailable = (error: Error & { code?: string; hint?: string }): boolean => {
        assert.equal(error.code, 'UNAVAILABLE', error.message);
        assert.match(error.message, /postgres:\/\/shellgate:\*\*\*@127\.0\.0\.1/);
        assert.match(error.hint ?? '', /reachable/);
        return true;
      };
      await assert.rejects(store.getSandbox('sb-before'), unavailable);
      await assert.rejects(store.createSandbox(makeRecord('sb-during', 'during')), unavailable);
      assert.equal(store.problem?.code, 'UNAVAILABLE', 'Health reads this to answer DEGRADED');
      // Another replica keeps writing meanwhile; this one cannot hear it.
      await other.createSandbox(makeRecord('sb-missed', 'missed'));

      const resync = nextChange(store, (change) => change.kind === 'resync', 15_000);
      await proxy.start();
      await resync;
      assert.equal((await store.getSandbox('sb-missed'))?.sandbox.metadata?.name, 'missed', 'the pool reconnected');
      assert.equal(store.problem, undefined);
      assert.equal(await store.getSandbox('sb-during'), undefined, 'the write that failed left nothing');
      assert.equal((await store.createSandbox(makeRecord('sb-after', 'after'))).sandbox.metadata?.resourceVersion, 1);
    } finally {
      await store.close();
      await other.close();
      await proxy.cut();
      await database.drop();
    }
  });
});
