import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { SandboxPhase } from '@shellgate/api';

import { openSqliteStore } from '../store/index.js';
import type { GatewayStore, StoreChange, StoreChangeListener } from '../store/index.js';
import { makeRecord } from '../store/testing/index.js';
import { SandboxEventBus } from './sandbox-event-bus.js';
import type { SandboxChange } from './sandbox-event-bus.js';
import { StoreChangeRelay } from './store-change-relay.js';

/** The store with a change feed the test drives: what another replica's writes look like. */
function withFakeFeed(store: GatewayStore): { store: GatewayStore; emit: (change: StoreChange) => void; reads: string[] } {
  const listeners = new Set<StoreChangeListener>();
  const reads: string[] = [];
  const feedStore = new Proxy(store, {
    get(target, key): unknown {
      if (key === 'getSandbox') {
        return (id: string) => {
          reads.push(id);
          return target.getSandbox(id);
        };
      }
      if (key === 'subscribeChanges') {
        return (listener: StoreChangeListener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: feedStore, emit: (change) => listeners.forEach((listener) => listener(change)), reads };
}

/** Resolves with the next `count` changes the bus carries for `id`, or rejects after 2 s. */
function nextChanges(events: SandboxEventBus, id: string, count: number): Promise<SandboxChange[]> {
  return new Promise((resolve, reject) => {
    const seen: SandboxChange[] = [];
    const timer = setTimeout(() => reject(new Error(`saw ${seen.length} of ${count} changes of ${id}`)), 2_000);
    const stop = events.subscribe(id, (change) => {
      seen.push(change);
      if (seen.length < count) return;
      clearTimeout(timer);
      stop();
      resolve(seen);
    });
  });
}

const change = (id: string, resourceVersion: number, isDeleted = false): StoreChange => ({ kind: 'sandbox', id, workspace: 'default', name: id, resourceVersion, isDeleted });
const versionOf = (item: SandboxChange): number => (item.kind === 'platformEvent' ? -1 : item.sandbox.metadata!.resourceVersion);

describe('StoreChangeRelay', () => {
  let store: GatewayStore;
  let emit: (change: StoreChange) => void;
  let reads: string[];
  let events: SandboxEventBus;
  let relay: StoreChangeRelay;
  before(async () => {
    const sqlite = await openSqliteStore({ path: ':memory:' });
    ({ store, emit, reads } = withFakeFeed(sqlite));
    events = new SandboxEventBus();
    relay = new StoreChangeRelay({ store, events, retryMs: 50 });
  });
  after(async () => {
    relay.close();
    await store.close();
  });

  it("publishes another replica's create and update, read from the store, once each", async () => {
    const created = nextChanges(events, 'sb-1', 2);
    await store.createSandbox(makeRecord('sb-1', 'one'));
    emit(change('sb-1', 1));
    emit(change('sb-1', 1));
    const current = (await store.getSandbox('sb-1'))!;
    await store.updateSandbox('sb-1', 1, { ...current, sandbox: { ...current.sandbox, status: { ...current.sandbox.status!, phase: SandboxPhase.SANDBOX_PHASE_READY } } });
    emit(change('sb-1', 2));
    const seen = await created;
    assert.deepEqual(seen.map((item) => [item.kind, versionOf(item)]), [['updated', 1], ['updated', 2]]);
  });

  it('publishes nothing for a version this replica already published itself', async () => {
    const record = (await store.getSandbox('sb-1'))!;
    const next = await store.updateSandbox('sb-1', 2, { ...record, missingSinceMs: 1 });
    events.publish({ kind: 'updated', sandbox: next.sandbox });
    const later = nextChanges(events, 'sb-1', 1);
    emit(change('sb-1', 3));
    await store.updateSandbox('sb-1', 3, { ...next, missingSinceMs: 2 });
    emit(change('sb-1', 4));
    assert.deepEqual((await later).map(versionOf), [4], 'version 3 was skipped as already published');
  });

  it("publishes another replica's delete with the last object, phase Deleting", async () => {
    const deleted = nextChanges(events, 'sb-1', 1);
    await store.deleteSandbox('sb-1');
    emit(change('sb-1', 4, true));
    const [item] = await deleted;
    assert.ok(item?.kind === 'deleted');
    assert.equal(item.sandbox.metadata!.name, 'one');
    assert.equal(item.sandbox.status!.phase, SandboxPhase.SANDBOX_PHASE_DELETING);
  });

  it('a resync re-reads every sandbox: newer ones are published, vanished ones deleted', async () => {
    await store.createSandbox(makeRecord('sb-2', 'two'));
    await store.createSandbox(makeRecord('sb-3', 'three'));
    const created = Promise.all([nextChanges(events, 'sb-2', 1), nextChanges(events, 'sb-3', 1)]);
    emit(change('sb-2', 1));
    emit(change('sb-3', 1));
    await created;
    const two = nextChanges(events, 'sb-2', 1);
    const three = nextChanges(events, 'sb-3', 1);
    const record = (await store.getSandbox('sb-2'))!;
    await store.updateSandbox('sb-2', 1, { ...record, missingSinceMs: 9 });
    await store.deleteSandbox('sb-3');
    emit({ kind: 'resync', reason: 'test' });
    assert.deepEqual((await two).map((item) => [item.kind, versionOf(item)]), [['updated', 2]]);
    assert.deepEqual((await three).map((item) => item.kind), ['deleted']);
  });

  it('reads nothing for a sandbox no one here listens to, and reads it once someone does', async () => {
    await store.createSandbox(makeRecord('sb-4', 'four'));
    reads.length = 0;
    emit(change('sb-4', 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(reads, [], 'no WatchSandbox stream and no every-sandbox listener wants sb-4');
    // An every-sandbox listener that wants sb-4 (as the supervisor hub wants sandboxes with a session here).
    let delivered!: (version: number) => void;
    const seen = new Promise<number>((resolve) => (delivered = resolve));
    const stopWanting = events.subscribeAll((item) => {
      if (item.kind === 'updated' && item.sandbox.metadata!.id === 'sb-4') delivered(versionOf(item));
    }, (id) => id === 'sb-4');
    const record = (await store.getSandbox('sb-4'))!;
    await store.updateSandbox('sb-4', 1, { ...record, missingSinceMs: 3 });
    reads.length = 0;
    emit(change('sb-4', 2));
    assert.equal(await seen, 2);
    assert.deepEqual(reads, ['sb-4']);
    stopWanting();
  });
});
