// Issue 9, item 5: a newcomer who writes only `[drivers.docker]` (no supervisor_runtime_dir)
// gets sandboxes that become Ready, because the driver builds the supervisor runtime bundle
// from the installed @shellgate/supervisor at its first start, never a silent Provisioning.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Sandbox } from '@shellgate/api';
import { GatewayProcess } from '../harness/gateway-process.js';
import { DOCKER_DRIVER_BIN } from '../harness/paths.js';
import { runCli } from '../harness/run-cli.js';
import { TEST_IMAGE, containersWithLabel, docker, requireDockerEngine } from './docker-engine.js';
import { e2eObjectName, removeNetwork, toTomlLines } from './docker-driver-process.js';
import { GATEWAY_ID_LABEL, uniqueSandboxName } from './e2e-run.js';

export function registerDockerBareConfigSuite(): void {
  describe('a bare [drivers.docker] table', () => {
    let gateway: GatewayProcess;
    let stateDir = '';
    let gatewayId = '';
    const networkName = e2eObjectName('bare');

    before(async () => {
      await requireDockerEngine();
      stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-bare-'));
      // Only what an e2e run must pin (the local image, its own network and state); nothing
      // about the supervisor.
      const driverTable = { default_image: TEST_IMAGE, image_pull_policy: 'Never', network_name: networkName, state_dir: join(stateDir, 'driver-docker') };
      const configToml = ['[drivers.docker]', `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(DOCKER_DRIVER_BIN)}]`, ...toTomlLines(driverTable)].join('\n');
      gateway = await GatewayProcess.start({ stateDir, configToml, readyTimeoutMs: 60_000 });
      const ready = gateway.entries((entry) => entry.message === 'gateway ready')[0];
      gatewayId = typeof ready?.gatewayId === 'string' ? ready.gatewayId : '';
    });

    after(async () => {
      if (gateway === undefined) return;
      await gateway.stop();
      const leftovers = gatewayId === '' ? [] : await containersWithLabel(GATEWAY_ID_LABEL, gatewayId);
      if (leftovers.length > 0) await docker(['rm', '-f', '-v', ...leftovers]);
      await removeNetwork(networkName);
      gateway.removeState();
    });

    it('builds the supervisor bundle itself and makes a sandbox Ready with a supervisor session', async () => {
      const name = uniqueSandboxName('bare');
      const cli = (args: readonly string[]): ReturnType<typeof runCli> => runCli(['--gateway', gateway.address, ...args], {}, 120_000);
      const created = await cli(['sandbox', 'create', name, '--cmd', 'sleep', '--cmd', '3600', '--wait', '--timeout', '90s', '-o', 'json']);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(String((JSON.parse(created.stdout) as Sandbox).status?.phase), 'SANDBOX_PHASE_READY');
      assert.ok(gateway.entries((entry) => entry.message === 'supervisor runtime bundle built').length === 1, 'the driver logged the bundle build');
      assert.equal(readdirSync(join(stateDir, 'driver-docker', 'runtime')).length, 1, 'one cached bundle in the driver state dir');
      const exec = await cli(['sandbox', 'exec', name, '--', 'echo', 'supervised']);
      assert.equal(exec.stdout, 'supervised\n', exec.stderr);
      assert.equal((await cli(['sandbox', 'delete', name])).code, 0);
    });
  });
}
