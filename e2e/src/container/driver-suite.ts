// A driver binary against its real engine, over its socket (issues 4 and 11 "Tests"):
// lifecycle with the writable layer kept, limits, the token mount, a missing image with
// `Never`, a container killed behind the driver's back, and 20 creates at once. One suite for
// Docker and Podman: what differs is in the engine's `EngineUnderTest`.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, isShellgateError } from '@shellgate/driver-sdk';
import { MANAGED_BY_LABEL, SANDBOX_ID_LABEL } from '../docker/e2e-run.js';
import { DriverProcess } from './driver-process.js';
import {
  containerOf,
  deleteSandboxes,
  describeConditions,
  findCondition,
  hasReadyReason,
  isReady,
  isSuspended,
  newDriverSandbox,
  waitForSandbox,
  waitForSandboxGone,
} from './driver-sandbox.js';
import type { EngineUnderTest } from './engine-under-test.js';

const TOKEN_PATH = '/run/shellgate/sandbox-token';
const PIDS_LIMIT = 321;
const CONCURRENT_CREATES = 20;

export function registerDriverSuite(engine: EngineUnderTest): void {
  describe(`${engine.name} driver binary against a real ${engine.displayName} engine`, () => {
    let driver: DriverProcess;
    const created = new Set<string>();
    const run = (args: readonly string[]): Promise<string> => engine.run(args);
    const containerOfSandbox = (sandboxId: string): Promise<string> => containerOf(engine, sandboxId);

    before(async () => {
      await engine.require();
      driver = await DriverProcess.launch(engine, 'drv', { pids_limit: PIDS_LIMIT });
    });

    after(async () => {
      if (driver === undefined) return;
      await deleteSandboxes(driver.client, created);
      await driver.stop();
    });

    async function create(label: string, options: Parameters<typeof newDriverSandbox>[1] = {}): Promise<ReturnType<typeof newDriverSandbox>> {
      const sandbox = newDriverSandbox(label, options);
      created.add(sandbox.id);
      await driver.client.createSandbox(sandbox);
      return sandbox;
    }

    it('create → Running → stop → start keeps a file in the writable layer → delete removes container and token', async () => {
      const sandbox = await create('life', { command: ['sleep', '3600'] });
      await waitForSandbox(driver.client, sandbox.id, 'Ready=True', isReady);
      const containerId = await containerOfSandbox(sandbox.id);
      const running = await engine.inspect(containerId);
      assert.equal(running.State.Status, 'running');
      assert.equal(running.Config.Labels?.[MANAGED_BY_LABEL], 'shellgate');
      assert.deepEqual(running.Config.Cmd, ['sleep', '3600'], 'the canonical command from spec.command');
      assert.equal(running.HostConfig.RestartPolicy.Name, 'no');
      const tokenSource = running.Mounts.find((mount) => mount.Destination === TOKEN_PATH)?.Source;
      assert.ok(tokenSource !== undefined && existsSync(tokenSource), `token file mounted from the host: ${JSON.stringify(running.Mounts)}`);

      await run(['exec', containerId, 'sh', '-c', 'echo kept-across-stop > /root/marker.txt']);
      await driver.client.stopSandbox(sandbox.id);
      await waitForSandbox(driver.client, sandbox.id, 'Suspended=True', isSuspended);
      assert.equal((await engine.inspect(containerId)).State.Running, false, 'the container is stopped, not removed');

      await driver.client.startSandbox(sandbox.id);
      await waitForSandbox(driver.client, sandbox.id, 'Ready=True and not Suspended', (s) => isReady(s) && !isSuspended(s));
      assert.equal(await containerOfSandbox(sandbox.id), containerId, 'start reuses the same container');
      assert.equal(await run(['exec', containerId, 'cat', '/root/marker.txt']), 'kept-across-stop');

      assert.equal(await driver.client.deleteSandbox(sandbox.id), true);
      await waitForSandboxGone(driver.client, sandbox.id);
      assert.deepEqual(await run(['ps', '-aq', '--filter', `label=${SANDBOX_ID_LABEL}=${sandbox.id}`]), '', 'the container is gone');
      assert.equal(existsSync(tokenSource), false, `the token file ${tokenSource} is gone`);
      assert.equal(existsSync(dirname(tokenSource)), false, `the sandbox's token directory ${dirname(tokenSource)} is gone`);
      await driver.client.deleteSandbox(sandbox.id);
      created.delete(sandbox.id);
    });

    it('puts the cpu, memory and PIDs limits on the container (the engine inspect)', async () => {
      const sandbox = await create('limits', { resources: { cpuLimit: '500m', memoryLimit: '256Mi' } });
      await waitForSandbox(driver.client, sandbox.id, 'Ready=True', isReady);
      const inspect = await engine.inspect(await containerOfSandbox(sandbox.id));
      assert.equal(inspect.HostConfig.NanoCpus, 500_000_000, 'cpu 500m');
      assert.equal(inspect.HostConfig.Memory, 256 * 1024 * 1024, 'memory 256Mi');
      assert.equal(inspect.HostConfig.PidsLimit, PIDS_LIMIT, 'pids_limit from the driver config');
    });

    it('refuses resource requests with FAILED_PRECONDITION and creates nothing', async () => {
      const sandbox = newDriverSandbox('request', { resources: { cpuRequest: '250m' } });
      created.add(sandbox.id);
      await assert.rejects(driver.client.createSandbox(sandbox), (error: unknown) => {
        assert.ok(isShellgateError(error), String(error));
        assert.equal(error.code, ErrorCode.FailedPrecondition, error.message);
        return true;
      });
      assert.equal(await run(['ps', '-aq', '--filter', `label=${SANDBOX_ID_LABEL}=${sandbox.id}`]), '');
    });

    it('mounts the token 0600 and keeps it out of env, labels, inspect output and logs', async () => {
      const sandbox = await create('token');
      const token = sandbox.spec!.sandboxToken;
      await waitForSandbox(driver.client, sandbox.id, 'Ready=True', isReady);
      const containerId = await containerOfSandbox(sandbox.id);
      const inspect = await engine.inspect(containerId);
      const mount = inspect.Mounts.find((m) => m.Destination === TOKEN_PATH);
      assert.ok(mount !== undefined, `no mount at ${TOKEN_PATH}: ${JSON.stringify(inspect.Mounts)}`);
      assert.equal(mount.Type, 'bind');
      // Without a supervisor (this suite's drivers) nobody empties the file, so it is read-only.
      assert.equal(mount.RW, false, 'read-only');
      assert.equal(statSync(mount.Source).mode & 0o777, 0o600, 'the host file is 0600');
      assert.equal(await run(['exec', containerId, 'stat', '-c', '%a', TOKEN_PATH]), '600');
      assert.equal(await run(['exec', containerId, 'cat', TOKEN_PATH]), token);
      await assert.rejects(run(['exec', containerId, 'sh', '-c', `echo x > ${TOKEN_PATH}`]), /Read-only file system/);
      assert.ok((inspect.Config.Env ?? []).includes(`OPENSHELL_SANDBOX_TOKEN_FILE=${TOKEN_PATH}`), `env: ${JSON.stringify(inspect.Config.Env)}`);
      const rawInspect = await run(['inspect', containerId]);
      const engineLogs = await run(['logs', containerId]);
      assert.equal(engineLogs.includes(token), false, `the token appears in ${engine.cli} logs`);
      assert.equal(rawInspect.includes(token), false, `the token appears in ${engine.cli} inspect`);
      assert.equal(JSON.stringify(inspect.Config.Env).includes(token), false, 'the token is in the env');
      assert.equal(JSON.stringify(inspect.Config.Labels).includes(token), false, 'the token is in a label');
      assert.equal(driver.log().includes(token), false, 'the token is in the driver log');
    });

    it('reports Ready=False ImagePullFailed for a missing image with image_pull_policy = Never', async () => {
      const sandbox = await create('noimage', { image: `shellgate-test/missing:${Date.now()}` });
      const failed = await waitForSandbox(driver.client, sandbox.id, 'Ready=False ImagePullFailed', (s) => hasReadyReason(s, 'ImagePullFailed'));
      assert.match(findCondition(failed, 'Ready')!.message, /missing/, 'the message names the image');
      assert.equal(await run(['ps', '-aq', '--filter', `label=${SANDBOX_ID_LABEL}=${sandbox.id}`]), '', 'no container was created');
    });

    it('reports ContainerExited with the exit code for a container killed behind its back', async () => {
      const sandbox = await create('killed');
      await waitForSandbox(driver.client, sandbox.id, 'Ready=True', isReady);
      await run(['kill', await containerOfSandbox(sandbox.id)]);
      const exited = await waitForSandbox(driver.client, sandbox.id, 'Ready=False ContainerExited', (s) => hasReadyReason(s, 'ContainerExited'), 15_000);
      assert.match(findCondition(exited, 'Ready')!.message, /137/, `the exit code is reported: ${describeConditions(exited)}`);
    });

    it(`runs ${CONCURRENT_CREATES} concurrent creates, all Running`, async () => {
      const sandboxes = Array.from({ length: CONCURRENT_CREATES }, () => newDriverSandbox('burst'));
      for (const sandbox of sandboxes) created.add(sandbox.id);
      const outcomes = await Promise.allSettled(sandboxes.map((sandbox) => driver.client.createSandbox(sandbox)));
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
      assert.deepEqual(failures, [], 'every create succeeds');
      await Promise.all(sandboxes.map((sandbox) => waitForSandbox(driver.client, sandbox.id, 'Ready=True', isReady, 60_000)));
      const states = await Promise.all(sandboxes.map(async (sandbox) => (await engine.inspect(await containerOfSandbox(sandbox.id))).State.Status));
      assert.deepEqual(states, sandboxes.map(() => 'running'));
      const deleted = await Promise.all(sandboxes.map((sandbox) => driver.client.deleteSandbox(sandbox.id)));
      assert.deepEqual(deleted, sandboxes.map(() => true));
      await Promise.all(sandboxes.map((sandbox) => waitForSandboxGone(driver.client, sandbox.id)));
      for (const sandbox of sandboxes) created.delete(sandbox.id);
    });
  });
}
