// The whole flow an operator sees (issue 4): the real gateway binary spawns the docker driver
// from `[drivers.docker] command = [...]`, and the `shellgate` CLI creates, waits, stops,
// starts and deletes a sandbox that is a real container.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SandboxPhase } from '@shellgate/api';
import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';
import type { TerminationCleanupHandle } from '@shellgate/driver-sdk/testing';
import { ApiClient } from '../harness/api-client.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { DOCKER_DRIVER_BIN } from '../harness/paths.js';
import { runCli } from '../harness/run-cli.js';
import type { CliResult } from '../harness/run-cli.js';
import { containersWithLabel, docker, inspectContainer, requireDockerEngine } from './docker-engine.js';
import { defaultDriverConfig, removeNetwork, removeNetworkAndContainers, toTomlLines } from './docker-driver-process.js';
import { GATEWAY_ID_LABEL, SANDBOX_ID_LABEL, uniqueSandboxName } from './e2e-run.js';

interface CliSandbox {
  readonly metadata: { readonly id: string; readonly name: string };
  readonly spec?: { readonly template?: { readonly image?: string } };
  readonly status?: { readonly phase: string; readonly conditions?: readonly { type: string; status: string; reason?: string; message?: string }[] };
}

const WAIT_TIMEOUT = '90s';

export function registerDockerGatewaySuite(): void {
  describe('gateway and CLI with the docker driver on a real engine', () => {
    let gateway: GatewayProcess;
    let api: ApiClient;
    let gatewayId = '';
    let networkName = '';
    let cleanupOnTermination: TerminationCleanupHandle | undefined;

    before(async () => {
      await requireDockerEngine();
      const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-gw-'));
      const driverConfig = defaultDriverConfig('gw', join(stateDir, 'docker-driver'));
      networkName = String(driverConfig.network_name);
      const configToml = [
        '[drivers.docker]',
        `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(DOCKER_DRIVER_BIN)}]`,
        // The supervisor arrives in a later issue; backend Ready counts as Ready until then.
        'requires_supervisor = false',
        ...toTomlLines(driverConfig),
      ].join('\n');
      gateway = await GatewayProcess.start({ stateDir, configToml, readyTimeoutMs: 30_000 });
      // Stopped mid-suite (SIGTERM at the file's time bound, Ctrl-C), no after() runs: stop the
      // gateway, then remove its containers.
      cleanupOnTermination = addTerminationCleanup(async () => {
        await gateway.stop();
        await removeNetworkAndContainers(networkName);
      });
      api = new ApiClient(gateway.address);
      const ready = gateway.entries((entry) => entry.message === 'gateway ready')[0];
      gatewayId = typeof ready?.gatewayId === 'string' ? ready.gatewayId : '';
      assert.notEqual(gatewayId, '', 'the gateway logs its id');
    });

    after(async () => {
      cleanupOnTermination?.forget();
      if (gateway === undefined) return;
      for (const sandbox of await api.list().catch(() => [])) await api.delete(sandbox.metadata!.name).catch(() => false);
      api.close();
      await gateway.stop();
      // Anything the driver left behind carries this gateway's id.
      const leftovers = await containersWithLabel(GATEWAY_ID_LABEL, gatewayId);
      if (leftovers.length > 0) await docker(['rm', '-f', '-v', ...leftovers]);
      gateway.removeState();
      await removeNetwork(networkName);
      assert.deepEqual(leftovers, [], 'deleting every sandbox removed every container');
    });

    function cli(...args: string[]): Promise<CliResult> {
      return runCli(['--gateway', gateway.address, ...args], {}, 120_000);
    }

    function parseSandbox(result: CliResult): CliSandbox {
      assert.equal(result.code, 0, `shellgate exited ${result.code}:\n${result.stderr}`);
      return JSON.parse(result.stdout) as CliSandbox;
    }

    it('shellgate sandbox create --wait → Ready; stop, start and delete act on the container', async () => {
      const name = uniqueSandboxName('cli');
      const created = parseSandbox(await cli('sandbox', 'create', name, '--cmd', 'sleep', '--cmd', '3600', '--wait', '--timeout', WAIT_TIMEOUT, '-o', 'json'));
      assert.equal(created.status?.phase, 'SANDBOX_PHASE_READY');
      const [containerId, ...others] = await containersWithLabel(SANDBOX_ID_LABEL, created.metadata.id);
      assert.ok(containerId !== undefined && others.length === 0, 'one container for the sandbox');
      const inspect = await inspectContainer(containerId);
      assert.equal(inspect.State.Status, 'running');
      assert.deepEqual(inspect.Config.Cmd, ['sleep', '3600']);
      assert.equal(inspect.Config.Labels?.[GATEWAY_ID_LABEL], gatewayId, 'the container carries the gateway id');

      const listed = JSON.parse((await cli('sandbox', 'list', '-o', 'json')).stdout) as unknown;
      assert.ok(JSON.stringify(listed).includes(created.metadata.id), 'sandbox list shows it');

      const stopped = await cli('sandbox', 'stop', name, '--wait', '--timeout', WAIT_TIMEOUT);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.equal((await api.get(name)).status?.phase, SandboxPhase.SANDBOX_PHASE_STOPPED);
      assert.equal((await inspectContainer(containerId)).State.Running, false);

      const started = await cli('sandbox', 'start', name, '--wait', '--timeout', WAIT_TIMEOUT);
      assert.equal(started.code, 0, started.stderr);
      assert.equal((await api.get(name)).status?.phase, SandboxPhase.SANDBOX_PHASE_READY);
      assert.equal((await inspectContainer(containerId)).State.Status, 'running', 'the same container runs again');

      const deleted = await cli('sandbox', 'delete', name, '--wait', '--timeout', WAIT_TIMEOUT);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.deepEqual(await containersWithLabel(SANDBOX_ID_LABEL, created.metadata.id), [], 'the container is gone');
      assert.equal((await cli('sandbox', 'get', name)).code, 3, 'get of a deleted sandbox: not found');
    });

    it('a missing image with image_pull_policy = Never ends in Error with ImagePullFailed', async () => {
      const name = uniqueSandboxName('noimg');
      const result = await cli('sandbox', 'create', name, '--image', `shellgate-test/missing:${Date.now()}`, '--wait', '--timeout', WAIT_TIMEOUT);
      assert.equal(result.code, 1, `create --wait exits 1 for Error:\n${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /ImagePullFailed/);
      const sandbox = await api.get(name);
      assert.equal(sandbox.status?.phase, SandboxPhase.SANDBOX_PHASE_ERROR);
      const ready = sandbox.status?.conditions.find((c) => c.type === 'Ready');
      assert.equal(ready?.reason, 'ImagePullFailed');
      assert.equal((await cli('sandbox', 'delete', name, '--wait', '--timeout', WAIT_TIMEOUT)).code, 0);
    });

    it('gateway info names the docker driver', async () => {
      const info = await api.info();
      assert.equal(info.computeDrivers.find((d) => d.name === 'docker')?.capabilities?.driverName, 'docker');
    });

    it('an empty image takes the driver default_image', async () => {
      const name = uniqueSandboxName('dflt');
      const created = parseSandbox(await cli('sandbox', 'create', name, '--wait', '--timeout', WAIT_TIMEOUT, '-o', 'json'));
      assert.equal(created.spec?.template?.image, 'shellgate-test/busybox:1');
      assert.equal((await cli('sandbox', 'delete', name, '--wait', '--timeout', WAIT_TIMEOUT)).code, 0);
    });
  });
}
