import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Sandbox } from '@shellgate/api';

import { DesiredState } from './gateway-store.js';
import type { SandboxRecord } from './gateway-store.js';
import { SandboxObjectCache, toSandboxCopy } from './sandbox-object-cache.js';
import { openSqliteStore } from './sqlite-gateway-store.js';

function makeRecord(id: string, name: string): SandboxRecord {
  return {
    sandbox: Sandbox.fromPartial({
      metadata: { id, name, workspace: 'default', labels: { app: 'web' } },
      spec: {
        environment: { A: '1' },
        template: { image: 'alpine:3', resources: { limits: { memory: '1Gi' } }, driverConfig: { docker: { ports: [80] } } },
      },
    }),
    driver: 'docker',
    desiredState: DesiredState.Running,
    missingSinceMs: undefined,
  };
}

describe('SandboxObjectCache', () => {
  it('answers only for the version it holds', () => {
    const cache = new SandboxObjectCache();
    cache.adopt('sb-1', 2, makeRecord('sb-1', 'one').sandbox);
    assert.equal(cache.get('sb-1', 2)?.metadata?.name, 'one');
    assert.equal(cache.get('sb-1', 3), undefined);
    cache.forget('sb-1');
    assert.equal(cache.get('sb-1', 2), undefined);
  });

  it('evicts the oldest entry beyond its bound', () => {
    const cache = new SandboxObjectCache(2);
    for (const id of ['a', 'b', 'c']) cache.adopt(id, 1, makeRecord(id, id).sandbox);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', 1), undefined);
    assert.ok(cache.get('c', 1) !== undefined);
  });

  it('copies deeply, Struct fields included', () => {
    const original = makeRecord('sb-1', 'one').sandbox;
    const copy = toSandboxCopy(original);
    assert.deepEqual(copy, original);
    (copy.spec!.template!.resources as { limits: { memory: string } }).limits.memory = '2Gi';
    (copy.spec!.template!.driverConfig as { docker: { ports: number[] } }).docker.ports.push(443);
    copy.metadata!.labels['app'] = 'db';
    assert.deepEqual(original, makeRecord('sb-1', 'one').sandbox);
  });
});

describe('listSandboxes with the object cache', () => {
  it('returns copies and sees every write: update, delete, a new row under a reused id', async () => {
    await using store = await openSqliteStore({ path: ':memory:' });
    await store.createSandbox(makeRecord('sb-1', 'one'));
    const first = await store.listSandboxes();
    first[0]!.sandbox.metadata!.labels['app'] = 'mutated';
    first[0]!.sandbox.spec!.template!.resources = {};
    const second = await store.listSandboxes();
    assert.deepEqual(second[0]!.sandbox.metadata!.labels, { app: 'web' });
    assert.deepEqual(second[0]!.sandbox.spec!.template!.resources, { limits: { memory: '1Gi' } });
    assert.deepEqual(second, [await store.getSandbox('sb-1')]);

    const updated = await store.updateSandbox('sb-1', 1, { ...second[0]!, desiredState: DesiredState.Stopped, missingSinceMs: 7 });
    assert.deepEqual(await store.listSandboxes(), [updated]);

    await store.deleteSandbox('sb-1');
    assert.deepEqual(await store.listSandboxes(), []);

    // The same id at version 1 again: the cached object of the deleted row must not come back.
    await store.createSandbox(makeRecord('sb-2', 'two'));
    assert.deepEqual(names(await store.listSandboxes()), ['two']);
    await store.deleteSandbox('sb-2');
    await store.createSandbox(makeRecord('sb-2', 'reborn'));
    assert.deepEqual(names(await store.listSandboxes()), ['reborn']);
  });
});

function names(records: readonly SandboxRecord[]): string[] {
  return records.map((record) => record.sandbox.metadata!.name);
}
