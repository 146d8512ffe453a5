// The Podman API service restarted under a running driver (issue 11): unlike dockerd, the
// service is not the containers' parent (conmon is), so sandboxes keep running. The driver's
// event stream ends with the service; it must reconnect and resync without deleting or
// failing a sandbox that still runs, and see what changes afterwards. The service is
// restarted through scripts/engines/podman.sh, which restarts only what it may.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { DriverProcess } from '../container/driver-process.js';
import { containerOf, deleteSandboxes, isReady, newDriverSandbox, waitForSandbox } from '../container/driver-sandbox.js';
import { WatchLog } from '../container/watch-log.js';
import { PODMAN_ENGINE, podman, runPodmanEngineScript } from './podman-engine.js';

const RECOVERY_TIMEOUT_MS = 45_000;

/** Resolves once the driver's log has a line matching `pattern`. */
async function waitForLog(driver: DriverProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(driver.log())) {
    if (Date.now() > deadline) throw new Error(`the driver did not log ${String(pattern)} within ${timeoutMs} ms:\n${driver.log().split('\n').slice(-20).join('\n')}`);
    await sleep(100);
  }
}

export function registerPodmanRestartSuite(): void {
  describe('the Podman service restarted while the podman driver runs', () => {
    let driver: DriverProcess;
    const created = new Set<string>();

    before(async () => {
      await PODMAN_ENGINE.require();
      driver = await DriverProcess.launch(PODMAN_ENGINE, 'rst');
    });

    after(async () => {
      if (driver === undefined) return;
      await deleteSandboxes(driver.client, created);
      await driver.stop();
    });

    it('keeps the running sandbox Ready with no delete, then sees changes made after the restart', async () => {
      const first = newDriverSandbox('before');
      created.add(first.id);
      await driver.client.createSandbox(first);
      await waitForSandbox(driver.client, first.id, 'Ready=True', isReady);
      const containerId = await containerOf(PODMAN_ENGINE, first.id);
      const watch = new WatchLog(() => driver.client);
      try {
        await watch.waitForSandbox(0, first.id, 'Ready=True in the snapshot', isReady, 10_000);
        const beforeRestart = watch.events.length;
        await runPodmanEngineScript('restart');
        await PODMAN_ENGINE.require();
        assert.equal(await podman(['inspect', '--format', '{{.State.Status}}', containerId]), 'running', 'the container ran through the restart');
        await waitForLog(driver, /event stream reconnected and resynced/, RECOVERY_TIMEOUT_MS);
        const throughRestart = watch.sandboxesSince(beforeRestart, first.id);
        assert.ok(throughRestart.every(isReady), `the sandbox stayed Ready through the restart and resync: ${JSON.stringify(throughRestart.map((s) => s.status?.conditions))}`);

        // A change behind the driver's back that only the new event stream reveals: the
        // driver reconnected (the old stream ended with the service).
        await podman(['stop', '-t', '1', containerId]);
        await watch.waitForSandbox(beforeRestart, first.id, 'not Ready after `podman stop`', (s) => !isReady(s), RECOVERY_TIMEOUT_MS);
        const beforeStart = watch.events.length;
        await podman(['start', containerId]);
        await watch.waitForSandbox(beforeStart, first.id, 'Ready=True after `podman start`', isReady, RECOVERY_TIMEOUT_MS);

        const second = newDriverSandbox('after');
        created.add(second.id);
        const beforeCreate = watch.events.length;
        await driver.client.createSandbox(second);
        await watch.waitForSandbox(beforeCreate, second.id, 'Ready=True', isReady, RECOVERY_TIMEOUT_MS);

        const deleted = watch.events.flatMap((event) => (event.payload?.$case === 'deleted' ? [event.payload.deleted.sandboxId] : []));
        assert.deepEqual(deleted, [], 'no sandbox was reported deleted');
      } finally {
        await watch.close();
      }
    });
  });
}
