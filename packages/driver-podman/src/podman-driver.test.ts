import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { describe, it } from 'node:test';

import { ErrorCode, SANDBOX_LABEL_KEYS as Label, SANDBOX_TOKEN_TARGET, SUPERVISOR_RUNTIME_TARGET, deriveBackendPhase } from '@shellgate/driver-sdk';
import type { SupervisorRuntime } from '@shellgate/driver-sdk';
import { buildTestSandbox } from '@shellgate/driver-sdk/testing';

import { codeOf, readyReason, startPodmanHarness } from './testdata/podman-driver-harness.js';
import { FakePodmanEngine, engineHttpError } from './testdata/fake-podman-engine.js';

const SUPERVISOR: SupervisorRuntime = {
  hostDir: '/srv/shellgate/runtime',
  entrypoint: ['/opt/shellgate/runtime/bin/node', '/opt/shellgate/runtime/supervisor.cjs'],
  supervisorVersion: '0.1.0',
};

const limits = (cpuLimit: string, memoryLimit: string) => ({ cpuRequest: '', cpuLimit, memoryRequest: '', memoryLimit });

void describe('PodmanDriver with a fake engine', () => {
  void it('creates asynchronously: Provisioning, then Running from the immutable image id, with limits, on the managed bridge', async () => {
    await using h = await startPodmanHarness();
    const sandbox = await h.create({ spec: { command: ['sleep', '1000'], tty: true, template: { resources: limits('500m', '64Mi') } } });
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    const spec = h.engine.createdSpecs[0]!;
    assert.equal(spec.imageId, 'sha256:busybox');
    assert.deepEqual([spec.entrypoint, spec.command, spec.isTty, spec.hasInit], [[], ['sleep', '1000'], true, false], 'no supervisor: the image keeps its entrypoint');
    assert.deepEqual([spec.cpuMillicores, spec.memoryBytes, spec.pidsLimit, spec.stopTimeoutSeconds], [500, 64 * 1024 * 1024, 1024, 45]);
    assert.deepEqual(spec.network, { mode: 'bridge', networkName: 'shellgate' });
    assert.deepEqual(spec.hostEntries, ['host.openshell.internal:10.89.0.1']);
    assert.equal(spec.env['OPENSHELL_ENDPOINT'], 'http://host.openshell.internal:17670');
    assert.equal(spec.env['OPENSHELL_SANDBOX_TOKEN_FILE'], SANDBOX_TOKEN_TARGET);
    assert.equal(spec.labels[Label.gatewayId], 'gw-1');
    assert.match(spec.name, /^shellgate-default-t\d+/);
  });

  void it('runs the supervisor from the bundle as entrypoint under Podman\'s init, the bundle read-only', async () => {
    await using h = await startPodmanHarness({ supervisorRuntime: SUPERVISOR });
    const sandbox = await h.create({ spec: { command: ['sleep', '1000'], tty: true } });
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    const spec = h.engine.createdSpecs[0]!;
    assert.deepEqual(spec.entrypoint, SUPERVISOR.entrypoint);
    assert.deepEqual(spec.command, ['--tty', '--', 'sleep', '1000']);
    assert.deepEqual([spec.isTty, spec.hasInit], [false, true]);
    assert.deepEqual(spec.mounts.find((mount) => mount.target === SUPERVISOR_RUNTIME_TARGET), { type: 'bind', source: SUPERVISOR.hostDir, target: SUPERVISOR_RUNTIME_TARGET, isReadOnly: true });
  });

  void it('stops to Suspended=True on Podman\'s died-143 (no stop event), keeps it across restarts, starts again, deletes idempotently', async () => {
    await using h = await startPodmanHarness();
    const sandbox = await h.create();
    const ref = { sandboxId: sandbox.id, sandboxName: '' };
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    await h.driver.stopSandbox(ref, h.ctx);
    await h.driver.stopSandbox(ref, h.ctx);
    assert.deepEqual(h.engine.stopTimeouts, [45, 45], 'stop_timeout_seconds');
    await h.waitFor('Stopped', () => h.phaseOf(sandbox.id) === 'Stopped');
    const restarted = await h.restart();
    assert.equal(deriveBackendPhase((await restarted.getSandbox(ref, h.ctx)).sandbox?.status), 'Stopped');
    await h.driver.startSandbox(ref, h.ctx);
    await h.driver.startSandbox(ref, h.ctx);
    await h.waitFor('Ready again', () => h.phaseOf(sandbox.id) === 'Ready');
    assert.equal(h.engine.containers.size, 1, 'stop/start keep the container');
    assert.deepEqual(await h.driver.deleteSandbox(ref, h.ctx), { deleted: true });
    assert.deepEqual(await h.driver.deleteSandbox(ref, h.ctx), { deleted: false });
    await h.waitFor('Deleted', () => h.mirror.has(sandbox.id) && h.mirror.get(sandbox.id) === undefined);
    assert.equal(h.engine.containers.size, 0);
    await assert.rejects(stat(h.store.sandboxDir(sandbox.id)));
    for (const call of [h.driver.getSandbox(ref, h.ctx), h.driver.stopSandbox(ref, h.ctx), h.driver.startSandbox(ref, h.ctx)]) {
      assert.equal(await codeOf(call), ErrorCode.NotFound);
    }
  });

  void it('reports a container killed behind its back as ContainerExited with its code', async () => {
    await using h = await startPodmanHarness();
    const sandbox = await h.create();
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    h.engine.setState(h.containerIdOf(sandbox.id), 'exited', 137, 'die');
    await h.waitFor('ContainerExited', () => readyReason(h.mirror.get(sandbox.id)).startsWith('False ContainerExited: container exited with code 137'));
  });

  for (const [reason, setup, message] of [
    ['ImagePullFailed', (e: FakePodmanEngine) => e.images.clear(), /pulling image busybox:latest failed/],
    ['ContainerCreateFailed', (e: FakePodmanEngine) => e.failures.set('create', engineHttpError(500, 'image not known')), /image not known/],
    ['ContainerStartFailed', (e: FakePodmanEngine) => e.failures.set('start', engineHttpError(500, 'crun: cgroups in hybrid mode not supported')), /hybrid mode/],
  ] as const) {
    void it(`fails for good with ${reason}, which survives a driver restart until deleted`, async () => {
      const engine = new FakePodmanEngine();
      setup(engine);
      await using h = await startPodmanHarness({}, engine);
      const sandbox = await h.create();
      await h.waitFor(reason, () => h.phaseOf(sandbox.id) === 'Error');
      assert.match(readyReason(h.mirror.get(sandbox.id)), message);
      const restarted = await h.restart();
      assert.match(readyReason((await restarted.getSandbox({ sandboxId: sandbox.id, sandboxName: '' }, h.ctx)).sandbox), new RegExp(`^False ${reason}: `));
      assert.deepEqual(await h.driver.deleteSandbox({ sandboxId: sandbox.id, sandboxName: '' }, h.ctx), { deleted: true });
      assert.equal(await h.store.readState(sandbox.id), undefined);
    });
  }

  void it('answers ALREADY_EXISTS for a second create of an in-flight or existing id', async () => {
    const engine = new FakePodmanEngine();
    let release!: () => void;
    engine.pullGate = new Promise((resolve) => (release = resolve));
    engine.registry.set('slow:1', 'sha256:slow');
    await using h = await startPodmanHarness({}, engine);
    const sandbox = await h.create({ spec: { template: { image: 'slow:1' } } });
    assert.equal(await codeOf(h.driver.createSandbox({ sandbox }, h.ctx)), ErrorCode.AlreadyExists);
    release();
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    assert.equal(await codeOf(h.driver.createSandbox({ sandbox }, h.ctx)), ErrorCode.AlreadyExists);
  });

  void it('only lists and watches containers with managed-by and this gateway id, and refuses deleting a busy workspace', async () => {
    const engine = new FakePodmanEngine();
    engine.addForeignContainer({ [Label.managedBy]: 'shellgate', [Label.gatewayId]: 'other-gw', [Label.sandboxId]: 'other' });
    engine.addForeignContainer({ [Label.managedBy]: 'shellgate', [Label.gatewayId]: 'gw-1', [Label.sandboxId]: 'ours', [Label.sandboxName]: 'o', [Label.workspace]: 'ws' });
    await using h = await startPodmanHarness({}, engine);
    assert.deepEqual((await h.driver.listSandboxes({}, h.ctx)).sandboxes.map((sandbox) => sandbox.id), ['ours']);
    assert.equal(await codeOf(h.driver.getSandbox({ sandboxId: 'other', sandboxName: '' }, h.ctx)), ErrorCode.NotFound);
    assert.equal(await codeOf(h.driver.deleteWorkspace({ workspace: 'ws' }, h.ctx)), ErrorCode.FailedPrecondition);
    assert.equal(await codeOf(h.driver.deleteWorkspace({ workspace: 'empty' }, h.ctx)), 'OK');
  });

  void it('reconnects when the event stream drops (the service restarted) and resyncs what changed meanwhile, deleting nothing else', async () => {
    await using h = await startPodmanHarness();
    const [kept, exited, removed] = [await h.create(), await h.create(), await h.create()];
    await h.waitFor('all Ready', () => [kept, exited, removed].every((sandbox) => h.phaseOf(sandbox.id) === 'Ready'));
    h.engine.endStreams();
    h.engine.setState(h.containerIdOf(exited.id), 'exited', 1);
    h.engine.containers.delete(h.containerIdOf(removed.id));
    await h.waitFor('a second connection', () => h.driver.eventConnections >= 2);
    await h.waitFor('resync', () => h.phaseOf(exited.id) === 'Error' && h.mirror.get(removed.id) === undefined);
    assert.equal(h.phaseOf(kept.id), 'Ready', 'a sandbox that did not change is neither deleted nor republished as anything else');
    const deletions = h.events.filter((event) => event.payload?.$case === 'deleted').map((event) => (event.payload?.$case === 'deleted' ? event.payload.deleted.sandboxId : ''));
    assert.deepEqual(deletions, [removed.id]);
  });

  void it('answers capabilities (gateway_manages_lifecycle) and the exact-address listener requirement', async () => {
    await using h = await startPodmanHarness({ hostGatewayIp: '10.1.2.3' });
    assert.deepEqual(h.driver.getCapabilities(), { driverName: 'podman', driverVersion: '0.1.0', defaultImage: 'busybox:latest', gatewayManagesLifecycle: true });
    const { requirements } = await h.driver.getGatewayListenerRequirements({}, h.ctx);
    assert.deepEqual(requirements[0]?.selector, { $case: 'exactBindAddress', exactBindAddress: '10.1.2.3:17670' });
    assert.ok(h.engine.networks.has('shellgate'));
    // netavark removes a bridge with its last container: an anchor pod holds it up for the gateway to bind.
    assert.deepEqual(h.engine.pods.get('shellgate-anchor'), { name: 'shellgate-anchor', labels: { [Label.managedBy]: 'shellgate' }, networkName: 'shellgate' });
    h.engine.pods.clear();
    await h.driver.getGatewayListenerRequirements({}, h.ctx);
    assert.ok(h.engine.pods.has('shellgate-anchor'), 'checked again on every ask: the gateway binds right after');
  });

  void it('a listener check while the start-up anchor start is in flight joins it instead of creating the pod twice', async () => {
    const engine = new FakePodmanEngine();
    let release = (): void => undefined;
    engine.podStartHold = new Promise((resolve) => {
      release = resolve;
    });
    await using h = await startPodmanHarness({}, engine);
    await h.waitFor('the start-up anchor start', () => engine.ensurePodCalls === 1);
    const asked = h.driver.getGatewayListenerRequirements({}, h.ctx);
    // A turn of the event loop: the check has reached the anchor while the start is still held.
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await asked;
    assert.equal(engine.ensurePodCalls, 1, 'one pod start, not two racing ones');
    await h.driver.getGatewayListenerRequirements({}, h.ctx);
    assert.equal(engine.ensurePodCalls, 2, 'a settled start is checked again');
  });

  void it('asks for GPUs by count as CDI devices when the host has CDI specs, and refuses them when it has none', async () => {
    const gpu = buildTestSandbox({ spec: { resourceRequirements: { gpu: { count: 2 } }, template: { driverConfig: { cdi_devices: ['vendor.com/fpga=a'] } } } }, { defaultImage: 'busybox:latest' });
    await using without = await startPodmanHarness();
    assert.equal(await codeOf(without.driver.validateSandboxCreate({ sandbox: gpu })), ErrorCode.FailedPrecondition);
    await using withSpecs = await startPodmanHarness({}, new FakePodmanEngine(), { host: { hasCdiSpecs: async () => true } });
    await withSpecs.driver.createSandbox({ sandbox: gpu }, withSpecs.ctx);
    await withSpecs.waitFor('created', () => withSpecs.engine.createdSpecs.length > 0);
    assert.deepEqual(withSpecs.engine.createdSpecs[0]?.cdiDevices, ['vendor.com/fpga=a', 'nvidia.com/gpu=0', 'nvidia.com/gpu=1']);
  });
});
