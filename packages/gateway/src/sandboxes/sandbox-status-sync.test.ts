import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SandboxPhase, type Sandbox } from '@shellgate/api';
import type { DriverSandbox } from '@shellgate/driver-sdk';
import { DesiredState, type SandboxRecord } from '../store/index.js';
import { SandboxStatusSync } from './sandbox-status-sync.js';
import {
  backendNotReadyStatus,
  backendReadyStatus,
  createSandboxHarness,
  nextChange,
  nextPhase,
  type SandboxHarness,
} from './testing/index.js';

const P = SandboxPhase;

function backendOf(h: SandboxHarness, sandbox: Sandbox, driver = 'fake'): DriverSandbox {
  return h.drivers.client(driver).backend.get(sandbox.metadata!.id)!;
}

function withStatus(backend: DriverSandbox, status: DriverSandbox['status']): DriverSandbox {
  return { ...backend, status };
}

describe('SandboxStatusSync', () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await createSandboxHarness({ drivers: [{ name: 'fake' }, { name: 'other' }, { name: 'nosup', requiresSupervisor: false }] });
  });
  afterEach(async () => h.close());

  it('backend Ready without a session is Provisioning (SupervisorNotConnected); the session makes it Ready', async () => {
    const sandbox = await h.create();
    const id = sandbox.metadata!.id;
    await h.statusSync.applyBackendSandbox('fake', withStatus(backendOf(h, sandbox), backendReadyStatus('ctr-9')));
    const waiting = await h.stored(id);
    assert.equal(waiting.status!.phase, P.SANDBOX_PHASE_PROVISIONING);
    assert.equal(waiting.status!.conditions.find((c) => c.type === 'Ready')?.reason, 'SupervisorNotConnected');
    assert.equal(waiting.status!.agentPod, 'ctr-9');
    const ready = nextPhase(h.events, id, P.SANDBOX_PHASE_READY);
    h.sessions.connect(id, 's1');
    const published = await ready;
    assert.equal(published.status!.conditions.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_READY);
  });

  it('losing the supervisor session takes a Ready sandbox back to Provisioning', async () => {
    const sandbox = await h.create();
    const id = sandbox.metadata!.id;
    h.sessions.connect(id, 's1');
    await h.statusSync.applyBackendSandbox('fake', withStatus(backendOf(h, sandbox), backendReadyStatus()));
    assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_READY);
    const back = nextPhase(h.events, id, P.SANDBOX_PHASE_PROVISIONING);
    h.sessions.disconnect(id, 's1');
    await back;
  });

  it('a driver configured without a supervisor is Ready when the backend is', async () => {
    const sandbox = await h.create({ spec: { template: { driverConfig: { nosup: {} } } } });
    await h.statusSync.applyBackendSandbox('nosup', withStatus(backendOf(h, sandbox, 'nosup'), backendReadyStatus()));
    assert.equal((await h.stored(sandbox.metadata!.id)).status!.phase, P.SANDBOX_PHASE_READY);
  });

  it('Error is sticky: a later healthy report does not leave it', async () => {
    const sandbox = await h.create();
    const id = sandbox.metadata!.id;
    h.sessions.connect(id, 's1');
    await h.statusSync.applyBackendSandbox('fake', withStatus(backendOf(h, sandbox), backendNotReadyStatus('ImagePullFailed', 'no such image')));
    const failed = await h.stored(id);
    assert.equal(failed.status!.phase, P.SANDBOX_PHASE_ERROR);
    assert.equal(failed.status!.conditions[0]!.message, 'no such image');
    await h.statusSync.applyBackendSandbox('fake', withStatus(backendOf(h, sandbox), backendReadyStatus()));
    assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_ERROR);
  });

  it('a transient Ready=False reason stays Provisioning', async () => {
    const sandbox = await h.create();
    await h.statusSync.applyBackendSandbox('fake', withStatus(backendOf(h, sandbox), backendNotReadyStatus('containerstarting')));
    assert.equal((await h.stored(sandbox.metadata!.id)).status!.phase, P.SANDBOX_PHASE_PROVISIONING);
  });

  it('writes and publishes only when something visible changed', async () => {
    const sandbox = await h.create();
    const id = sandbox.metadata!.id;
    await h.statusSync.applyBackendSandbox('fake', withStatus(backendOf(h, sandbox), backendReadyStatus()));
    const version = (await h.stored(id)).metadata!.resourceVersion;
    const published: string[] = [];
    h.events.subscribe(id, (c) => published.push(c.kind));
    await h.statusSync.applyBackendSandbox('fake', withStatus(backendOf(h, sandbox), backendReadyStatus()));
    await h.statusSync.refresh(id);
    assert.equal((await h.stored(id)).metadata!.resourceVersion, version);
    assert.deepEqual(published, []);
  });

  it('ignores sandboxes it does not know and reports from a driver that does not own the sandbox', async () => {
    const sandbox = await h.create();
    const id = sandbox.metadata!.id;
    await h.statusSync.applyBackendSandbox('fake', { ...backendOf(h, sandbox), id: 'stranger' });
    assert.equal(await h.store.getSandbox('stranger'), undefined);
    await h.statusSync.applyBackendSandbox('other', withStatus(backendOf(h, sandbox), backendNotReadyStatus('Crashed')));
    assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_PROVISIONING);
    assert.equal(h.logger.at('warn', /does not own it/).length, 1);
    await h.statusSync.applyBackendDeleted('other', id);
    assert.ok(await h.store.getSandbox(id), 'a delete from a non-owner is ignored');
  });

  it('a backend delete forgets the record and tells watchers once', async () => {
    const sandbox = await h.create();
    const id = sandbox.metadata!.id;
    const deleted = nextChange(h.events, id, (c) => c.kind === 'deleted');
    await h.statusSync.applyBackendDeleted('fake', id);
    const change = await deleted;
    assert.equal(change.kind === 'deleted' && change.sandbox.status!.phase, P.SANDBOX_PHASE_DELETING);
    assert.equal(await h.store.getSandbox(id), undefined);
    const later: string[] = [];
    h.events.subscribe(id, (c) => later.push(c.kind));
    await h.statusSync.applyBackendDeleted('fake', id);
    await h.statusSync.forget(id, { sandbox, driver: 'fake', desiredState: DesiredState.Running, missingSinceMs: undefined });
    assert.deepEqual(later, []);
  });

  it('platform events reach watchers and the event tail', () => {
    const seen: string[] = [];
    h.events.subscribe('sb-1', (c) => seen.push(c.kind === 'platformEvent' ? c.event.reason : c.kind));
    h.statusSync.applyPlatformEvent('sb-1', { timestampMs: 1, source: 'docker', type: 'Normal', reason: 'Pulled', message: 'image pulled', metadata: { a: 'b' } });
    assert.deepEqual(seen, ['Pulled']);
    assert.deepEqual(h.events.recentEvents('sb-1', 5).map((e) => e.message), ['image pulled']);
  });

  it('markMissing records the first time only, and a report from the driver clears it', async () => {
    const sandbox = await h.create();
    const id = sandbox.metadata!.id;
    await h.statusSync.markMissing(id, 100);
    await h.statusSync.markMissing(id, 200);
    assert.equal((await h.store.getSandbox(id))?.missingSinceMs, 100);
    await h.statusSync.applyBackendSandbox('fake', backendOf(h, sandbox));
    assert.equal((await h.store.getSandbox(id))?.missingSinceMs, undefined);
  });

  it('a session of a sandbox the store does not know is logged, not thrown', async () => {
    h.sessions.connect('ghost', 's1');
    await h.logger.waitFor('warn', /session change failed/);
    assert.equal(h.logger.at('warn', /session change failed/).length, 1);
  });

  it('re-reads and re-derives on a compare-and-set conflict, keeping the other writer\'s change', async () => {
    const sandbox = await h.create();
    const id = sandbox.metadata!.id;
    let hasRaced = false;
    const racing = new Proxy(h.store, {
      get(target, property) {
        if (property === 'updateSandbox') {
          return async (sandboxId: string, expectedVersion: number, next: SandboxRecord): Promise<SandboxRecord> => {
            if (!hasRaced) {
              hasRaced = true;
              const current = (await target.getSandbox(sandboxId))!;
              const labels = { ...current.sandbox.metadata!.labels, other: 'writer' };
              await target.updateSandbox(sandboxId, expectedVersion, { ...current, sandbox: { ...current.sandbox, metadata: { ...current.sandbox.metadata!, labels } } });
            }
            return target.updateSandbox(sandboxId, expectedVersion, next);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const sync = new SandboxStatusSync({ store: racing, drivers: h.drivers, sessions: h.sessions, events: h.events });
    await sync.applyBackendSandbox('fake', withStatus(backendOf(h, sandbox), backendNotReadyStatus('Crashed')));
    const stored = await h.stored(id);
    assert.ok(hasRaced);
    assert.equal(stored.status!.phase, P.SANDBOX_PHASE_ERROR);
    assert.equal(stored.metadata!.labels.other, 'writer');
  });
});

describe('SandboxStatusSync on a replica that does not lead', () => {
  it('keeps driver reports without reading the store; its own session write counts only the owning driver\'s', async () => {
    await using h = await createSandboxHarness({ drivers: [{ name: 'fake' }, { name: 'other' }] });
    const sandbox = await h.create();
    const id = sandbox.metadata!.id;
    const reads: string[] = [];
    const store = new Proxy(h.store, {
      get(target, key): unknown {
        if (key === 'getSandbox') {
          return (sandboxId: string) => {
            reads.push(sandboxId);
            return target.getSandbox(sandboxId);
          };
        }
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const follower = new SandboxStatusSync({ store, drivers: h.drivers, sessions: h.sessions, events: h.events, replicas: { replicaId: 'replica-b', leaderStore: () => undefined } });

    await follower.applyBackendSandbox('other', withStatus(backendOf(h, sandbox), backendReadyStatus()));
    assert.deepEqual(reads, [], 'a report on a replica that does not lead costs no store read');
    const unowned = await follower.applyLocalSession(id, true);
    assert.equal(unowned?.sandbox.status!.phase, P.SANDBOX_PHASE_PROVISIONING, "a driver that does not own the sandbox decides nothing");

    await follower.applyBackendSandbox('fake', withStatus(backendOf(h, sandbox), backendReadyStatus()));
    const version = (await h.stored(id)).metadata!.resourceVersion;
    assert.equal((await follower.refresh(id))?.sandbox.status!.phase, P.SANDBOX_PHASE_READY, "the owner's Ready and this replica's session make it Ready");
    assert.equal((await h.stored(id)).metadata!.resourceVersion, version + 1, 'written by this replica, not by the report');
  });
});
