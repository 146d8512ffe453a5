import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SandboxPhase } from '@shellgate/api';
import { DesiredState, updateSandboxWithRetry } from '../store/index.js';
import { SandboxLifecycle } from './sandbox-lifecycle.js';
import { backendNotReadyStatus, createSandboxHarness, type SandboxHarness } from './testing/index.js';

const P = SandboxPhase;

describe('SandboxLifecycle', () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await createSandboxHarness({
      drivers: [{ name: 'vm', capabilities: { gatewayManagesLifecycle: true } }, { name: 'docker' }],
    });
  });
  afterEach(async () => h.close());

  async function createIn(driver: string, name: string, phase: SandboxPhase, desiredState: DesiredState = DesiredState.Running): Promise<string> {
    const sandbox = await h.create({ name, spec: { template: { driverConfig: { [driver]: {} } } } });
    const id = sandbox.metadata!.id;
    await updateSandboxWithRetry(h.store, id, (current) => ({
      ...current,
      desiredState,
      sandbox: { ...current.sandbox, status: { ...current.sandbox.status!, phase } },
    }));
    return id;
  }

  function lifecycle(concurrency?: number): SandboxLifecycle {
    return new SandboxLifecycle({ store: h.store, drivers: h.drivers, statusSync: h.statusSync, logger: h.logger, concurrency });
  }

  it('on shutdown stops the running sandboxes of lifecycle-managing drivers only, keeping their desired state', async () => {
    const ready = await createIn('vm', 'ready', P.SANDBOX_PHASE_READY);
    const provisioning = await createIn('vm', 'prov', P.SANDBOX_PHASE_PROVISIONING);
    const starting = await createIn('vm', 'starting', P.SANDBOX_PHASE_STARTING);
    await createIn('vm', 'user-stopped', P.SANDBOX_PHASE_STOPPED, DesiredState.Stopped);
    await createIn('vm', 'stopping', P.SANDBOX_PHASE_STOPPING, DesiredState.Stopped);
    await createIn('vm', 'broken', P.SANDBOX_PHASE_ERROR);
    await createIn('docker', 'other', P.SANDBOX_PHASE_READY);
    assert.equal(await lifecycle().stopAllForShutdown(), 3);
    assert.deepEqual(h.drivers.client('vm').callsTo('stopSandbox').map((c) => c.sandboxId).sort(), [ready, provisioning, starting].sort());
    assert.equal(h.drivers.client('docker').callsTo('stopSandbox').length, 0);
    for (const id of [ready, provisioning, starting]) assert.equal((await h.store.getSandbox(id))?.desiredState, DesiredState.Running);
  });

  it('a shutdown stop reported as upstream drivers do (Ready=False ContainerExited) is Stopped, and the next startup starts it', async () => {
    const id = await createIn('vm', 'upstream', P.SANDBOX_PHASE_READY);
    const client = h.drivers.client('vm');
    // The driver reports the stop upstream's way by the time the gateway reads it back.
    const held = client.hold('getSandbox');
    const done = lifecycle().stopAllForShutdown();
    await client.waitFor(() => held.waiting === 1);
    client.setStatus(id, backendNotReadyStatus('ContainerExited', 'container exited with code 143'));
    held.release();
    await done;
    assert.equal((await h.store.getSandbox(id))?.sandbox.status?.phase, P.SANDBOX_PHASE_STOPPED, 'stored Stopped, not a sticky Error');
    assert.equal(await lifecycle().startAllAfterStartup(), 1);
  });

  it('skips sandboxes being deleted', async () => {
    const id = await createIn('vm', 'going', P.SANDBOX_PHASE_READY);
    await h.statusSync.markDeleting(id);
    assert.equal(await lifecycle().stopAllForShutdown(), 0);
  });

  it('on startup starts the stopped sandboxes that should run, and leaves user-stopped ones alone', async () => {
    const shouldRun = await createIn('vm', 'should-run', P.SANDBOX_PHASE_STOPPED);
    await createIn('vm', 'user-stopped', P.SANDBOX_PHASE_STOPPED, DesiredState.Stopped);
    await createIn('vm', 'running', P.SANDBOX_PHASE_READY);
    await createIn('docker', 'other', P.SANDBOX_PHASE_STOPPED);
    assert.equal(await lifecycle().startAllAfterStartup(), 1);
    assert.deepEqual(h.drivers.client('vm').callsTo('startSandbox').map((c) => c.sandboxId), [shouldRun]);
    assert.equal(h.drivers.client('docker').callsTo('startSandbox').length, 0);
  });

  it('never runs more calls at once than the concurrency bound, and finishes them all', async () => {
    for (let i = 0; i < 7; i += 1) await createIn('vm', `box-${i}`, P.SANDBOX_PHASE_READY);
    const client = h.drivers.client('vm');
    const held = client.hold('stopSandbox');
    const done = lifecycle(3).stopAllForShutdown();
    await client.waitFor(() => held.waiting === 3);
    held.release();
    assert.equal(await done, 7);
    assert.equal(held.maxWaiting, 3);
    assert.equal(client.callsTo('stopSandbox').length, 7);
  });

  it('a failing sandbox is logged and does not stop the others', async () => {
    await createIn('vm', 'a', P.SANDBOX_PHASE_READY);
    await createIn('vm', 'b', P.SANDBOX_PHASE_READY);
    const client = h.drivers.client('vm');
    client.failNext('stopSandbox');
    assert.equal(await lifecycle(1).stopAllForShutdown(), 2);
    assert.equal(client.callsTo('stopSandbox').length, 2);
    assert.equal(h.logger.at('warn', /lifecycle failed/).length, 1);
  });

  it('does nothing when there is nothing to do', async () => {
    assert.equal(await lifecycle().stopAllForShutdown(), 0);
    assert.equal(await lifecycle().startAllAfterStartup(), 0);
  });
});
