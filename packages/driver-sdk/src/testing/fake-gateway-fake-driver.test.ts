// The fake gateway against the SDK's scriptable fake driver, served in-process: the normal
// lifecycle, and a driver restart on the same socket that the watch must survive.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { FakeDriver } from '../fake-driver/fake-driver.js';
import { parseFakeDriverScript } from '../fake-driver/parse-fake-driver-script.js';
import { serveDriver } from '../server/serve-driver.js';
import { FakeGateway } from './fake-gateway.js';
import { startTestDriver } from './start-test-driver.js';

void describe('FakeGateway against the fake driver', () => {
  void it('records listener requirements and follows a sandbox from create to delete', async () => {
    const script = parseFakeDriverScript({
      ready_delay_ms: 30,
      listener_requirements: [{ reason: 'callbacks on loopback', loopback_interface: true }],
    });
    await using driver = await startTestDriver(await FakeDriver.create({ script }));
    await using gateway = await FakeGateway.connect({ socketPath: driver.socketPath });
    assert.equal(gateway.capabilities.driverName, 'fake');
    assert.deepEqual(gateway.listenerRequirements, [
      { reason: 'callbacks on loopback', selector: { $case: 'loopbackInterface', loopbackInterface: {} } },
    ]);
    const sandbox = await gateway.createSandbox();
    assert.equal(sandbox.spec?.template?.image, 'fake/image:latest');
    await gateway.waitForSandbox(sandbox.id, 'Provisioning');
    await gateway.waitForSandbox(sandbox.id, 'Ready');
    await gateway.driver.stopSandbox(sandbox.id);
    await gateway.waitForSandbox(sandbox.id, 'Stopped');
    await gateway.driver.deleteSandbox(sandbox.id);
    await gateway.waitForDeleted(sandbox.id);
    assert.deepEqual(gateway.problems, []);
  });

  void it('re-watches a restarted driver and re-snapshots what it kept', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sg-restart-'));
    const socketPath = path.join(dir, 'run', 'fake.sock');
    const script = parseFakeDriverScript({ state_file: path.join(dir, 'state.json') });
    try {
      let server = await serveDriver(await FakeDriver.create({ script }), { socketPath, drainTimeoutMs: 1_000 });
      await using gateway = await FakeGateway.connect({ socketPath, watchReconnectDelayMs: 50, listIntervalMs: 60_000 });
      const kept = await gateway.createSandbox();
      await gateway.waitForSandbox(kept.id, 'Ready');
      await server.close();
      await gateway.waitUntil('the watch to notice the driver went away', () => gateway.stats.watchReconnects >= 1);
      server = await serveDriver(await FakeDriver.create({ script }), { socketPath, drainTimeoutMs: 1_000 });
      try {
        // A new object for the same id can only come from the new stream's snapshot.
        const beforeRestart = gateway.sandboxes.get(kept.id);
        await gateway.waitForSandbox(kept.id, (sandbox) => sandbox !== beforeRestart);
        const created = await gateway.createSandbox();
        await gateway.waitForSandbox(created.id, 'Ready');
        assert.equal(gateway.stats.listSweeps, 0, 'the watch did it, not a sweep');
      } finally {
        await gateway.close();
        await server.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
