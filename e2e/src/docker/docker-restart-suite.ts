// dockerd restarted while the driver runs (issue 4): the driver's watch, fed by Docker
// events, must come back, so changes made after the restart are seen. The engine is
// restarted through scripts/engines/docker.sh, which stops only a dockerd it started and
// otherwise restarts the running one with its own command line.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { containerOf, deleteSandboxes, isReady, newDriverSandbox, waitForSandbox } from '../container/driver-sandbox.js';
import { WatchLog } from '../container/watch-log.js';
import { DOCKER_ENGINE, docker, requireDockerEngine, runEngineScript } from './docker-engine.js';
import { DockerDriverProcess } from './docker-driver-process.js';

const RECOVERY_TIMEOUT_MS = 45_000;

export function registerDockerRestartSuite(): void {
  describe('dockerd restarted while the docker driver runs', () => {
    let driver: DockerDriverProcess;
    const created = new Set<string>();

    before(async () => {
      await requireDockerEngine();
      driver = await DockerDriverProcess.start('rst');
    });

    after(async () => {
      if (driver === undefined) return;
      await deleteSandboxes(driver.client, created);
      await driver.stop();
    });

    it('keeps watching: changes made after the restart reach the watch', async () => {
      const first = newDriverSandbox('before');
      created.add(first.id);
      await driver.client.createSandbox(first);
      await waitForSandbox(driver.client, first.id, 'Ready=True', isReady);
      const containerId = await containerOf(DOCKER_ENGINE, first.id);
      const watch = new WatchLog(() => driver.client);
      try {
        await watch.waitForSandbox(0, first.id, 'Ready=True in the snapshot', isReady, 10_000);

        const beforeRestart = watch.events.length;
        await runEngineScript('restart');
        await requireDockerEngine();
        // Without live-restore, dockerd stops every container when it goes down.
        assert.notEqual(await docker(['inspect', '--format', '{{.State.Status}}', containerId]), 'running', 'dockerd stopped the container');
        await watch.waitForSandbox(beforeRestart, first.id, 'no longer Ready after the restart', (s) => !isReady(s), RECOVERY_TIMEOUT_MS);

        // A change behind the driver's back that only Docker's events reveal.
        const beforeStart = watch.events.length;
        await docker(['start', containerId]);
        await watch.waitForSandbox(beforeStart, first.id, 'Ready=True after `docker start`', isReady, RECOVERY_TIMEOUT_MS);

        const second = newDriverSandbox('after');
        created.add(second.id);
        const beforeCreate = watch.events.length;
        await driver.client.createSandbox(second);
        await watch.waitForSandbox(beforeCreate, second.id, 'Ready=True', isReady, RECOVERY_TIMEOUT_MS);
        assert.ok((await driver.client.listSandboxes()).some((s) => s.id === first.id), 'the first sandbox is still listed');
      } finally {
        await watch.close();
      }
    });
  });
}
