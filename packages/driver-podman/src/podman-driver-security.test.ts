// What the hardening issue (10) asks of every driver, on the Podman driver with a fake engine:
// the token delivered before every start from a kept copy, sandboxes isolated from each
// other, bind mounts only when allowed and checked by real path, input quoted in errors.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

import { ErrorCode, SANDBOX_TOKEN_TARGET, isShellgateError } from '@shellgate/driver-sdk';
import { buildTestSandbox } from '@shellgate/driver-sdk/testing';

import { codeOf, readyReason, startPodmanHarness } from './testdata/podman-driver-harness.js';

const SUPERVISOR = { hostDir: '/srv/runtime', entrypoint: ['/opt/shellgate/runtime/bin/node'], supervisorVersion: '0.1.0' };
const bindMount = (source: string, target = '/data') => ({ spec: { template: { driverConfig: { mounts: [{ type: 'bind', source, target }] } } } });

async function messageOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    assert.ok(isShellgateError(error), String(error));
    return `${error.code}: ${error.message}`;
  }
  return 'OK';
}

void describe('PodmanDriver hardening', () => {
  void it('mounts the token file read-write from the state dir, keeps a copy that is never mounted, and delivers it again before every start', async () => {
    await using h = await startPodmanHarness({ supervisorRuntime: SUPERVISOR });
    const sandbox = await h.create({ spec: { command: ['sleep', '60'] } });
    const token = sandbox.spec!.sandboxToken;
    const ref = { sandboxId: sandbox.id, sandboxName: '' };
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    const spec = h.engine.createdSpecs[0]!;
    const mount = spec.mounts.find((m) => m.target === SANDBOX_TOKEN_TARGET);
    assert.deepEqual(mount, { type: 'bind', source: h.store.tokenPath(sandbox.id), target: SANDBOX_TOKEN_TARGET, isReadOnly: false }, 'read-write: the supervisor empties it');
    assert.equal((await stat(mount.source)).mode & 0o777, 0o600);
    assert.ok(spec.mounts.every((m) => !(m.source ?? '').endsWith('token.kept')), 'the kept copy is never mounted');
    assert.equal(await readFile(join(h.store.sandboxDir(sandbox.id), 'token.kept'), 'utf8'), token);
    assert.ok(!JSON.stringify({ env: spec.env, labels: spec.labels, command: spec.command }).includes(token), 'the token is in no env, label or argument');

    // The supervisor read the token and emptied the file; a stop and a start deliver it again.
    await truncate(mount.source, 0);
    await h.driver.stopSandbox(ref, h.ctx);
    assert.equal(await readFile(mount.source, 'utf8'), '');
    await h.driver.startSandbox(ref, h.ctx);
    assert.equal(await readFile(mount.source, 'utf8'), token);
    assert.ok(!(await readFile(join(h.stateDir, 'sandboxes', sandbox.id, 'state.json'), 'utf8')).includes(token), 'the state file holds no token');

    // Lost kept copy (a sandbox from before it existed): the token file is adopted as the copy.
    await rm(join(h.store.sandboxDir(sandbox.id), 'token.kept'));
    await h.driver.stopSandbox(ref, h.ctx);
    await h.driver.startSandbox(ref, h.ctx);
    assert.equal(await readFile(join(h.store.sandboxDir(sandbox.id), 'token.kept'), 'utf8'), token);
    await truncate(mount.source, 0);
    await rm(join(h.store.sandboxDir(sandbox.id), 'token.kept'));
    await h.driver.stopSandbox(ref, h.ctx);
    assert.equal(await codeOf(h.driver.startSandbox(ref, h.ctx)), ErrorCode.FailedPrecondition, 'no token left anywhere');

    await h.driver.deleteSandbox(ref, h.ctx);
    assert.deepEqual(await readdir(join(h.stateDir, 'sandboxes')), [], 'delete removes both token files');
  });

  void it('isolates the bridge ports after every start (create and StartSandbox), unless sandbox traffic is allowed', async () => {
    await using h = await startPodmanHarness();
    const sandbox = await h.create();
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    assert.ok(h.isolation.bridges.length > 0 && h.isolation.bridges.every((bridge) => bridge === 'podman1'), 'the bridge device netavark named');
    await h.driver.stopSandbox({ sandboxId: sandbox.id, sandboxName: '' }, h.ctx);
    const beforeStart = h.isolation.bridges.length;
    await h.driver.startSandbox({ sandboxId: sandbox.id, sandboxName: '' }, h.ctx);
    assert.ok(h.isolation.bridges.length > beforeStart, 'StartSandbox isolates before it returns');
    // Started behind the driver's back: its start event isolates it too.
    await h.driver.stopSandbox({ sandboxId: sandbox.id, sandboxName: '' }, h.ctx);
    const beforeEvent = h.isolation.bridges.length;
    h.engine.setState(h.containerIdOf(sandbox.id), 'running', 0, 'start');
    await h.waitFor('isolation on the start event', () => h.isolation.bridges.length > beforeEvent);

    await using open = await startPodmanHarness({ allowSandboxToSandbox: true });
    const talkative = await open.create();
    await open.waitFor('Ready', () => open.phaseOf(talkative.id) === 'Ready');
    assert.deepEqual(open.isolation.bridges, []);
  });

  void it('fails a sandbox it cannot isolate with ContainerStartFailed and stops its container again', async () => {
    await using h = await startPodmanHarness();
    h.isolation.failure = Object.assign(new Error("EROFS: read-only file system, open '/sys/class/net/podman1/brif/veth0/isolated'"), { code: 'EROFS' });
    const sandbox = await h.create();
    await h.waitFor('Error', () => h.phaseOf(sandbox.id) === 'Error');
    assert.match(readyReason(h.mirror.get(sandbox.id)), /^False ContainerStartFailed: starting the container: could not isolate sandbox .* allow_sandbox_to_sandbox/);
    assert.equal(h.engine.containers.get(h.containerIdOf(sandbox.id))?.info.state, 'exited');
  });

  void it('answers INVALID_ARGUMENT naming spec.template.driver_config.podman.<key> for an unknown key, quoting bad values', async () => {
    await using h = await startPodmanHarness();
    const unknown = buildTestSandbox({ spec: { template: { driverConfig: { network: 'host' } } } });
    assert.match(await messageOf(h.driver.createSandbox({ sandbox: unknown }, h.ctx)), /^INVALID_ARGUMENT: .*spec\.template\.driver_config\.podman\.network: is not a podman driver option/);
    const badUserns = buildTestSandbox({ spec: { template: { driverConfig: { userns: 'x'.repeat(500) } } } });
    const message = await messageOf(h.driver.validateSandboxCreate({ sandbox: badUserns }));
    assert.match(message, /driver_config\.podman\.userns: "x{128}"… \(500 chars\) is not a user namespace mode/);
    const keepId = buildTestSandbox({ spec: { template: { driverConfig: { userns: 'keep-id' } } } });
    assert.equal(await codeOf(h.driver.validateSandboxCreate({ sandbox: keepId })), ErrorCode.FailedPrecondition, 'keep-id is for rootless Podman');
    const request = buildTestSandbox({ spec: { template: { resources: { cpuRequest: '1', cpuLimit: '', memoryRequest: '', memoryLimit: '' } } } });
    assert.equal(await codeOf(h.driver.createSandbox({ sandbox: request }, h.ctx)), ErrorCode.FailedPrecondition);
    assert.equal(h.engine.createdSpecs.length, 0);
  });

  void it('refuses bind mounts unless allowed, then checks their real paths on the host', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sg-podman-binds-'));
    try {
      const data = join(root, 'data');
      await mkdir(data);
      await writeFile(join(data, 'f'), 'x');
      await symlink('/etc', join(root, 'etc-link'));
      await symlink(data, join(root, 'data-link'));
      const socketPath = join(root, 'engine.sock');
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(socketPath, resolve));
      try {
        await using denied = await startPodmanHarness();
        assert.equal(await codeOf(denied.driver.validateSandboxCreate({ sandbox: buildTestSandbox(bindMount(data)) })), ErrorCode.FailedPrecondition);

        await using h = await startPodmanHarness({ allowBindMounts: true });
        const refused = async (source: string): Promise<string> => messageOf(h.driver.validateSandboxCreate({ sandbox: buildTestSandbox(bindMount(source)) }));
        // The SDK's rules (every driver's), named by the field the user wrote.
        assert.match(await refused(join(root, 'etc-link')), /^INVALID_ARGUMENT: .*driver_config\.podman\.mounts\[0\]\.source: ".*etc-link" \(real path "\/etc"\) is at or under "\/etc"/);
        assert.match(await refused(`${data}/../../../../run`), /^INVALID_ARGUMENT: .*is not normalized/);
        assert.match(await refused(socketPath), /is a socket; sockets are never mounted into sandboxes/);
        assert.match(await refused(join(h.stateDir, 'sandboxes')), /is at or under .*the driver's state directory/);
        assert.match(await refused(dirname(h.stateDir)), /contains .*the driver's state directory/, "a parent of the driver's state dir");
        // Refused whether or not a Podman service runs here: a protected path, or one that does not exist.
        assert.match(await refused('/run/podman/podman.sock'), /^(INVALID_ARGUMENT|FAILED_PRECONDITION): /);
        assert.match(await refused(join(root, 'missing')), /^FAILED_PRECONDITION: .*does not exist on the engine host/);
        assert.match(await refused(`${data}:/etc`), /contains ":" or ","/);

        const sandbox = await h.create(bindMount(join(root, 'data-link')));
        await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
        assert.deepEqual(h.engine.createdSpecs[0]?.mounts.find((mount) => mount.target === '/data'), { type: 'bind', source: data, target: '/data', isReadOnly: false }, 'the engine gets the real path');
      } finally {
        server.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

void describe('PodmanDriver against a rootless service', () => {
  void it('networks sandboxes in user mode: the gateway on the default-route interface as host.containers.internal, nothing to isolate', async () => {
    await using h = await startPodmanHarness({ networkMode: 'slirp4netns', isRootless: true });
    const sandbox = await h.create({ spec: { template: { driverConfig: { userns: 'keep-id' } } } });
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    const spec = h.engine.createdSpecs[0]!;
    assert.deepEqual(spec.network, { mode: 'slirp4netns' });
    assert.deepEqual(spec.hostEntries, []);
    assert.equal(spec.env['OPENSHELL_ENDPOINT'], 'http://host.containers.internal:17670');
    assert.equal(spec.userns, 'keep-id');
    assert.deepEqual(h.isolation.bridges, [], 'each sandbox has its own network namespace');
    assert.equal(h.engine.networks.size + h.engine.pods.size, 0, 'no bridge network (nor anchor) is made');
    const { requirements } = await h.driver.getGatewayListenerRequirements({}, h.ctx);
    assert.deepEqual(requirements[0]?.selector, { $case: 'defaultRouteInterface', defaultRouteInterface: {} });
  });

  void it('on cgroup v1 refuses cpu and memory limits it cannot enforce, and sets no pids limit', async () => {
    await using h = await startPodmanHarness({ networkMode: 'slirp4netns', isRootless: true, canEnforceLimits: false });
    const limited = buildTestSandbox({ spec: { template: { resources: { cpuRequest: '', cpuLimit: '500m', memoryRequest: '', memoryLimit: '' } } } });
    assert.match(await messageOf(h.driver.validateSandboxCreate({ sandbox: limited })), /^FAILED_PRECONDITION: .*rootless Podman on cgroup v1 cannot enforce/);
    const plain = await h.create();
    await h.waitFor('Ready', () => h.phaseOf(plain.id) === 'Ready');
    assert.equal(h.engine.createdSpecs[0]?.pidsLimit, 0);
  });
});
