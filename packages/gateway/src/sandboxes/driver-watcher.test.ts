import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SandboxPhase } from '@shellgate/api';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import { DriverWatcher, type DriverWatcherOptions } from './driver-watcher.js';
import { backendNotReadyStatus, backendReadyStatus, createSandboxHarness, nextChange, nextPhase, type SandboxHarness } from './testing/index.js';

const P = SandboxPhase;
const GRACE_MS = 300_000;

describe('DriverWatcher', () => {
  let h: SandboxHarness;
  let watcher: DriverWatcher;

  function startWatcher(overrides: Partial<DriverWatcherOptions> = {}): DriverWatcher {
    watcher = new DriverWatcher({
      drivers: h.drivers,
      store: h.store,
      statusSync: h.statusSync,
      logger: h.logger,
      watchReconnectDelayMs: 0,
      reconcileIntervalMs: 3_600_000,
      orphanGraceMs: GRACE_MS,
      nowMs: () => h.clock.nowMs,
      ...overrides,
    });
    return watcher;
  }

  beforeEach(async () => {
    h = await createSandboxHarness({ drivers: [{ name: 'fake' }, { name: 'other' }] });
  });
  afterEach(async () => {
    await watcher?.close();
    await h.close();
  });

  describe('start and watch', () => {
    it('sweeps every driver before it opens the watches', async () => {
      const sandbox = await h.create();
      const id = sandbox.metadata!.id;
      const client = h.drivers.client('fake');
      client.backend.set(id, { ...client.backend.get(id)!, status: backendNotReadyStatus('Crashed') });
      await startWatcher().start();
      assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_ERROR, 'state is current when start() resolves');
      const first = client.calls.findIndex((c) => c.method === 'listSandboxes');
      assert.equal(first >= 0, true);
      assert.equal(h.drivers.client('other').callsTo('listSandboxes').length, 1);
      await client.waitFor(() => client.openWatchCount === 1);
      await h.drivers.client('other').waitFor(() => h.drivers.client('other').openWatchCount === 1);
    });

    it('applies watch events: status changes, deletes and platform events', async () => {
      const sandbox = await h.create();
      const id = sandbox.metadata!.id;
      const client = h.drivers.client('fake');
      await startWatcher().start();
      await client.waitFor(() => client.openWatchCount === 1);
      h.sessions.connect(id, 's1');
      const ready = nextPhase(h.events, id, P.SANDBOX_PHASE_READY);
      client.setStatus(id, backendReadyStatus());
      await ready;
      const event = nextChange(h.events, id, (c) => c.kind === 'platformEvent');
      client.emit({ payload: { $case: 'platformEvent', platformEvent: { sandboxId: id, event: { timestampMs: 5, source: 's', type: 'Normal', reason: 'Pulled', message: '', metadata: {} } } } });
      await event;
      const deleted = nextChange(h.events, id, (c) => c.kind === 'deleted');
      await client.deleteSandbox(id);
      await deleted;
      assert.equal(await h.store.getSandbox(id), undefined);
    });

    it('reopens a watch that failed, and applies what comes after', async () => {
      const sandbox = await h.create();
      const id = sandbox.metadata!.id;
      const client = h.drivers.client('fake');
      await startWatcher().start();
      await client.waitFor(() => client.openWatchCount === 1);
      client.endWatches(new ShellgateError(ErrorCode.Unavailable, 'socket closed'));
      await client.waitFor(() => client.watchOpens === 2 && client.openWatchCount === 1);
      const failed = nextPhase(h.events, id, P.SANDBOX_PHASE_ERROR);
      client.setStatus(id, backendNotReadyStatus('Crashed'));
      await failed;
      assert.equal(h.logger.at('warn', /driver watch failed; reopening/).length, 1);
    });

    it('reopens a watch the driver ended quietly, and reports each reopening (not the first open)', async () => {
      const client = h.drivers.client('fake');
      const reconnects: string[] = [];
      await startWatcher({ onWatchReconnect: (driver) => reconnects.push(driver) }).start();
      await client.waitFor(() => client.openWatchCount === 1);
      assert.deepEqual(reconnects, []);
      client.endWatches();
      await client.waitFor(() => client.watchOpens === 2 && client.openWatchCount === 1);
      assert.deepEqual(reconnects, ['fake']);
    });

    it('a restarted driver is re-listed and re-watched at once on its new client', { timeout: 5_000 }, async () => {
      const sandbox = await h.create();
      const id = sandbox.metadata!.id;
      await startWatcher({ watchReconnectDelayMs: 3_600_000 }).start();
      const old = h.drivers.client('fake');
      await old.waitFor(() => old.openWatchCount === 1);
      const next = h.drivers.restart('fake');
      await next.waitFor(() => next.callsTo('listSandboxes').length === 1 && next.openWatchCount === 1);
      const failed = nextPhase(h.events, id, P.SANDBOX_PHASE_ERROR);
      next.setStatus(id, backendNotReadyStatus('Crashed'));
      await failed;
    });

    it('a reconnect announcement re-watches at once even when the old stream ends quietly', { timeout: 5_000 }, async () => {
      await startWatcher({ watchReconnectDelayMs: 3_600_000 }).start();
      const client = h.drivers.client('fake');
      await client.waitFor(() => client.openWatchCount === 1);
      h.drivers.announceConnected('fake');
      await client.waitFor(() => client.watchOpens === 2 && client.openWatchCount === 1);
      assert.equal(client.callsTo('listSandboxes').length, 2);
    });

    it('close ends every watch without logging warnings', async () => {
      await startWatcher().start();
      const client = h.drivers.client('fake');
      await client.waitFor(() => client.openWatchCount === 1);
      await watcher.close();
      assert.equal(client.openWatchCount, 0);
      assert.equal(h.drivers.client('other').openWatchCount, 0);
      assert.deepEqual(h.logger.at('warn'), []);
    });

    it('keeps retrying the watch while the driver is down', async () => {
      h.drivers.setDown('fake', true);
      await startWatcher().start();
      assert.equal(h.logger.at('warn', /reconcile sweep failed/).length, 1);
      await h.logger.waitFor('warn', /driver watch failed/, 2);
      h.drivers.setDown('fake', false);
      const client = h.drivers.client('fake');
      await client.waitFor(() => client.openWatchCount === 1);
    });

    it('runs the sweep periodically', async () => {
      // The sweep timer is unref'd (it must not keep a gateway alive); hold the loop open.
      const keepAlive = setInterval(() => undefined, 60_000);
      try {
        await startWatcher({ reconcileIntervalMs: 5 }).start();
        const client = h.drivers.client('fake');
        await client.waitFor(() => client.callsTo('listSandboxes').length >= 3);
      } finally {
        clearInterval(keepAlive);
      }
    });
  });

  describe('reconcile sweep', () => {
    it('marks a sandbox missing from the list, keeps it through the grace period, then prunes it after GetSandbox says NOT_FOUND', async () => {
      const sandbox = await h.create();
      const id = sandbox.metadata!.id;
      const client = h.drivers.client('fake');
      client.loseSandbox(id);
      startWatcher();
      const t0 = h.clock.nowMs;
      await watcher.sweep('fake');
      assert.equal((await h.store.getSandbox(id))?.missingSinceMs, t0);
      h.clock.nowMs = t0 + GRACE_MS - 1;
      await watcher.sweep('fake');
      assert.ok(await h.store.getSandbox(id), 'kept inside the grace period');
      assert.equal(client.callsTo('getSandbox').length, 0);
      h.clock.nowMs = t0 + GRACE_MS;
      const deleted = nextChange(h.events, id, (c) => c.kind === 'deleted');
      await watcher.sweep('fake');
      await deleted;
      assert.deepEqual(client.callsTo('getSandbox').map((c) => c.sandboxId), [id]);
      assert.equal(await h.store.getSandbox(id), undefined);
      assert.equal(h.logger.at('warn', /pruning/).length, 1);
    });

    it('does not prune when GetSandbox still finds it, and clears the missing mark', async () => {
      const sandbox = await h.create();
      const id = sandbox.metadata!.id;
      const client = h.drivers.client('fake');
      const kept = client.backend.get(id)!;
      client.loseSandbox(id);
      startWatcher();
      await watcher.sweep('fake');
      h.clock.nowMs += GRACE_MS;
      client.backend.set(id, kept);
      const originalList = client.listSandboxes.bind(client);
      client.listSandboxes = async () => (await originalList()).filter((s) => s.id !== id);
      await watcher.sweep('fake');
      const record = await h.store.getSandbox(id);
      assert.ok(record);
      assert.equal(record.missingSinceMs, undefined);
    });

    it('does not prune when GetSandbox fails with anything but NOT_FOUND', async () => {
      const sandbox = await h.create();
      const id = sandbox.metadata!.id;
      const client = h.drivers.client('fake');
      client.loseSandbox(id);
      startWatcher();
      await watcher.sweep('fake');
      h.clock.nowMs += GRACE_MS;
      client.failNext('getSandbox', new ShellgateError(ErrorCode.DeadlineExceeded, 'slow'));
      await assert.rejects(watcher.sweep('fake'));
      assert.ok(await h.store.getSandbox(id));
    });

    it('a listed sandbox is never marked missing, and a sandbox of another driver is left alone', async () => {
      const mine = await h.create({ name: 'mine' });
      const theirs = await h.create({ name: 'theirs', spec: { template: { driverConfig: { other: {} } } } });
      h.drivers.client('other').loseSandbox(theirs.metadata!.id);
      startWatcher();
      await watcher.sweep('fake');
      assert.equal((await h.store.getSandbox(mine.metadata!.id))?.missingSinceMs, undefined);
      assert.equal((await h.store.getSandbox(theirs.metadata!.id))?.missingSinceMs, undefined);
    });

    it('finishes a delete whose driver call failed', async () => {
      const sandbox = await h.create();
      const id = sandbox.metadata!.id;
      const client = h.drivers.client('fake');
      client.failNext('deleteSandbox');
      await assert.rejects(h.service.delete('default', 'box'));
      startWatcher();
      const deleted = nextChange(h.events, id, (c) => c.kind === 'deleted');
      await watcher.sweep('fake');
      await deleted;
      assert.equal(client.callsTo('deleteSandbox').length, 2);
      assert.equal(client.backend.has(id), false);
      assert.equal(await h.store.getSandbox(id), undefined);
    });

    it('one record that fails does not stop the sweep for the others', async () => {
      const stuck = await h.create({ name: 'a-stuck' });
      const lost = await h.create({ name: 'b-lost' });
      const client = h.drivers.client('fake');
      client.failNext('deleteSandbox');
      await assert.rejects(h.service.delete('default', 'a-stuck'));
      client.failAlways('deleteSandbox');
      client.loseSandbox(lost.metadata!.id);
      startWatcher();
      await watcher.sweep('fake').catch(() => undefined);
      assert.ok(await h.store.getSandbox(stuck.metadata!.id), 'the failed delete stays for the next sweep');
      assert.equal((await h.store.getSandbox(lost.metadata!.id))?.missingSinceMs, h.clock.nowMs, 'the other record was still reconciled');
    });

    it('does nothing for an unknown driver', async () => {
      startWatcher();
      await watcher.sweep('nope');
      assert.equal(h.drivers.client('fake').calls.length, 0);
    });
  });
});
