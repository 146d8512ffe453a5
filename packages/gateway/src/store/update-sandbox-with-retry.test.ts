import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Sandbox } from '@shellgate/api';

import type { GatewayStore, SandboxRecord } from './gateway-store.js';
import { DesiredState } from './gateway-store.js';
import { openSqliteStore } from './sqlite-gateway-store.js';
import { updateSandboxWithRetry } from './update-sandbox-with-retry.js';

async function storeWithSandbox(): Promise<GatewayStore> {
  const store = await openSqliteStore({ path: ':memory:' });
  await store.createSandbox({
    sandbox: Sandbox.fromPartial({ metadata: { id: 'sb-1', name: 'one', workspace: 'default' } }),
    driver: 'docker',
    desiredState: DesiredState.Running,
    missingSinceMs: undefined,
  });
  return store;
}

function stop(record: SandboxRecord): SandboxRecord {
  return { ...record, desiredState: DesiredState.Stopped };
}

describe('updateSandboxWithRetry', () => {
  it('writes the mutated record at the version it read', async () => {
    const store = await storeWithSandbox();
    const result = await updateSandboxWithRetry(store, 'sb-1', stop);
    assert.equal(result?.desiredState, 'stopped');
    assert.equal(result?.sandbox.metadata?.resourceVersion, 2);
    await store.close();
  });

  it('re-reads and re-applies the change after losing a race', async () => {
    const store = await storeWithSandbox();
    let calls = 0;
    const result = await updateSandboxWithRetry(store, 'sb-1', (current) => {
      calls += 1;
      if (calls === 1) {
        // Another writer commits between our read and our write (the SQLite store commits
        // synchronously inside the call, before the returned promise settles).
        const racer = { ...current, missingSinceMs: 99 };
        void store.updateSandbox('sb-1', current.sandbox.metadata!.resourceVersion, racer);
      }
      return stop(current);
    });
    assert.equal(calls, 2);
    assert.equal(result?.sandbox.metadata?.resourceVersion, 3);
    assert.equal(result?.missingSinceMs, 99, 'the racing write is kept, not overwritten');
    assert.equal(result?.desiredState, 'stopped');
    await store.close();
  });

  it('does not write when mutate returns undefined', async () => {
    const store = await storeWithSandbox();
    assert.equal(await updateSandboxWithRetry(store, 'sb-1', () => undefined), undefined);
    assert.equal((await store.getSandbox('sb-1'))?.sandbox.metadata?.resourceVersion, 1);
    await store.close();
  });

  it('gives up with the last conflict after the given attempts', async () => {
    const store = await storeWithSandbox();
    let calls = 0;
    const alwaysRaced = (current: SandboxRecord): SandboxRecord => {
      calls += 1;
      void store.updateSandbox('sb-1', current.sandbox.metadata!.resourceVersion, current);
      return stop(current);
    };
    await assert.rejects(updateSandboxWithRetry(store, 'sb-1', alwaysRaced, { attempts: 3 }), { name: 'VersionConflictError', code: 'ABORTED' });
    assert.equal(calls, 3);
    await store.close();
  });

  it('starts from a record the caller read, and re-reads only when that one was stale', async () => {
    const store = await storeWithSandbox();
    const read = (await store.getSandbox('sb-1'))!;
    const fresh = await updateSandboxWithRetry(store, 'sb-1', stop, { current: read });
    assert.equal(fresh?.sandbox.metadata?.resourceVersion, 2);
    let calls = 0;
    const result = await updateSandboxWithRetry(store, 'sb-1', (current) => {
      calls += 1;
      return { ...current, missingSinceMs: 7 };
    }, { current: read });
    assert.equal(calls, 2, 'the stale version 1 lost against version 2, then a fresh read won');
    assert.equal(result?.sandbox.metadata?.resourceVersion, 3);
    assert.equal(result?.desiredState, 'stopped', 'the write made after the stale read is kept');
    await store.close();
  });

  it('reports a missing sandbox as NOT_FOUND', async () => {
    const store = await storeWithSandbox();
    await assert.rejects(updateSandboxWithRetry(store, 'nope', stop), { name: 'SandboxRecordNotFoundError', code: 'NOT_FOUND' });
    await store.close();
  });
});
