import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { SANDBOX_LABEL_KEYS, SandboxFileStore, SandboxTracker, WatchHub, toSandboxLabels } from '@shellgate/driver-sdk';
import type { SandboxChange } from '@shellgate/driver-sdk';
import { buildTestSandbox } from '@shellgate/driver-sdk/testing';

import type { ContainerEvent } from '../payload/container-event.js';
import { FakeContainerEngine } from '../testing/fake-container-engine.js';
import { PODMAN_NAMING } from '../testdata/podman-naming.js';
import { ContainerEvents } from './container-events.js';
import { ContainerInventory } from './container-inventory.js';
import { toPendingSandbox } from './pending-sandbox.js';
import type { ContainerSpecBase } from './provision-sandbox.js';

interface Harness extends AsyncDisposable {
  readonly engine: FakeContainerEngine<ContainerSpecBase>;
  readonly inventory: ContainerInventory;
  readonly tracker: SandboxTracker;
  readonly store: SandboxFileStore;
  /** What a container event means, as short strings: "event:OOMKilled", "sandbox:Ready=False", "deleted". */
  changesOf(event: ContainerEvent): Promise<string[]>;
  /** A container of ours for sandbox `sandboxId`, and an event about it. */
  container(sandboxId: string, state?: 'running' | 'exited'): { containerId: string; event(action: string, exitCode?: number): ContainerEvent };
}

function describeChange(change: SandboxChange): string {
  switch (change.type) {
    case 'platform-event':
      return `event:${change.event.reason}`;
    case 'sandbox': {
      const ready = change.sandbox.status?.conditions.find((condition) => condition.type === 'Ready');
      return `sandbox:Ready=${ready?.status ?? '?'} ${ready?.reason ?? ''}`;
    }
    case 'deleted':
      return `deleted:${change.sandboxId}`;
    case 'gap':
      return 'gap';
  }
}

async function startHarness(): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'sg-sandbox-events-'));
  const engine = new FakeContainerEngine<ContainerSpecBase>();
  const store = new SandboxFileStore(join(root, 'state'));
  await store.prepare();
  const tracker = new SandboxTracker(new WatchHub({ snapshot: () => [] }));
  const inventory = new ContainerInventory({ engine, store, tracker, gatewayId: 'gw-1', vocabularies: [SANDBOX_LABEL_KEYS], naming: PODMAN_NAMING });
  const events = new ContainerEvents({ inventory, tracker, store, now: () => 1, eventSource: 'podman' });
  const signal = new AbortController().signal;
  return {
    engine,
    inventory,
    tracker,
    store,
    changesOf: async (event) => {
      const seen: string[] = [];
      for await (const change of events.toChanges(event, signal)) seen.push(describeChange(change));
      return seen;
    },
    container: (sandboxId, state = 'running') => {
      const labels = toSandboxLabels({ sandboxId, sandboxName: sandboxId, workspace: '', namespace: '', gatewayId: 'gw-1' });
      const containerId = engine.addForeignContainer(labels, state);
      return { containerId, event: (action, exitCode) => ({ containerId, action, labels, timeMs: 1, ...(exitCode === undefined ? {} : { exitCode }) }) };
    },
    [Symbol.asyncDispose]: () => rm(root, { recursive: true, force: true }),
  };
}

describe('ContainerEvents.toChanges', () => {
  it('maps oom and die to platform events before the refreshed sandbox', async () => {
    await using h = await startHarness();
    const box = h.container('a', 'exited');
    assert.deepEqual(await h.changesOf(box.event('oom')), ['event:OOMKilled', 'sandbox:Ready=False ContainerExited']);
    assert.deepEqual(await h.changesOf(box.event('die', 137)), ['event:ContainerDied', 'sandbox:Ready=False ContainerExited']);
    assert.deepEqual(await h.changesOf(box.event('start')), ['sandbox:Ready=False ContainerExited']);
  });

  it('ignores events of containers without a sandbox id and actions that change nothing', async () => {
    await using h = await startHarness();
    const box = h.container('a');
    assert.deepEqual(await h.changesOf({ ...box.event('start'), labels: {} }), []);
    assert.deepEqual(await h.changesOf(box.event('exec_start: sh')), []);
    assert.deepEqual(await h.changesOf(box.event('attach')), []);
    assert.deepEqual(await h.changesOf(box.event('init')), [], "Podman's init, before its start");
    assert.deepEqual(await h.changesOf(box.event('cleanup')), [], "Podman's cleanup, after its died");
  });

  it('keeps the platform event when the container is already gone (its destroy says so)', async () => {
    await using h = await startHarness();
    const box = h.container('a');
    h.engine.containers.delete(box.containerId);
    assert.deepEqual(await h.changesOf(box.event('die', 1)), ['event:ContainerDied']);
  });

  it('maps destroy to a deletion and removes its state file', async () => {
    await using h = await startHarness();
    const box = h.container('a');
    await h.store.writeState({ id: 'a', name: 'a', namespace: '', workspace: '', isStoppedByUs: false });
    assert.deepEqual(await h.changesOf(box.event('destroy')), ['deleted:a']);
    assert.equal(await h.store.readState('a'), undefined);
  });

  it('leaves an in-flight create alone: no deletion on destroy, and a die is noted for its hand-over', async () => {
    await using h = await startHarness();
    const box = h.container('a');
    const pending = toPendingSandbox(buildTestSandbox({ id: 'a', name: 'a' }));
    h.inventory.pending.set('a', pending);
    assert.deepEqual(await h.changesOf(box.event('start')), []);
    assert.equal(pending.hasUnexpectedEvent, false, 'create and start are what the create does itself');
    assert.deepEqual(await h.changesOf(box.event('die', 1)), ['event:ContainerDied']);
    assert.equal(pending.hasUnexpectedEvent, true);
    assert.deepEqual(await h.changesOf(box.event('destroy')), []);
    assert.equal(h.inventory.pending.get('a'), pending);
  });

  it('deletes a failed create on destroy', async () => {
    await using h = await startHarness();
    const box = h.container('a');
    h.inventory.pending.set('a', { ...toPendingSandbox(buildTestSandbox({ id: 'a', name: 'a' })), failure: { reason: 'ImagePullFailed', message: 'no such image' } });
    assert.deepEqual(await h.changesOf(box.event('destroy')), ['deleted:a']);
    assert.equal(h.inventory.pending.has('a'), false);
  });
});
