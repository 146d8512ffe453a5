import assert from 'node:assert/strict';
import * as fsPromises from 'node:fs/promises';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import {
  ErrorCode,
  SANDBOX_LABEL_KEYS as Label,
  SANDBOX_TOKEN_TARGET,
  SUPERVISOR_RUNTIME_TARGET,
  deriveBackendPhase,
  findCondition,
  isShellgateError,
  silentLogger,
} from '@shellgate/driver-sdk';
import type { CallContext, DriverSandbox, SandboxFileStoreOptions, SandboxFileSystem, SupervisorRuntime, WatchSandboxesEvent } from '@shellgate/driver-sdk';
import { buildTestSandbox } from '@shellgate/driver-sdk/testing';
import type { TestSandboxInit } from '@shellgate/driver-sdk/testing';

import { DockerDriver } from './docker-driver.js';
import { LEGACY_LABEL_KEYS } from './labels.js';
import type { DockerDriverSettings } from './settings.js';
import { createSandboxStateStore } from './state.js';
import type { SandboxStateStore } from './state.js';
import { FakeDockerEngine, engineHttpError } from './testdata/fake-docker-engine.js';

const SETTINGS: DockerDriverSettings = {
  defaultImage: 'busybox:latest',
  imagePullPolicy: 'IfNotPresent',
  networkName: 'shellgate',
  allowSandboxToSandbox: false,
  hostGatewayIp: undefined,
  pidsLimit: 1024,
  stopTimeoutSeconds: 10,
  allowBindMounts: false,
  bindMounts: { protectedHostPaths: [], isEngineLocal: true, engineName: 'Docker' },
  gatewayPort: 17670,
  gatewayScheme: 'http',
  gatewayId: 'gw-1',
  supervisorRuntime: undefined,
  isTokenExposedToAgent: false,
  supervisorTls: undefined,
};

const SUPERVISOR: SupervisorRuntime = {
  hostDir: '/srv/shellgate/runtime',
  entrypoint: ['/opt/shellgate/runtime/bin/node', '/opt/shellgate/runtime/supervisor.cjs'],
  supervisorVersion: '0.1.0',
};

interface Harness extends AsyncDisposable {
  readonly engine: FakeDockerEngine;
  readonly driver: DockerDriver;
  readonly store: SandboxStateStore;
  readonly ctx: CallContext;
  /** Every watch event seen by one subscriber opened at start. */
  readonly events: WatchSandboxesEvent[];
  /** Latest state per sandbox id from the watch; undefined after Deleted. */
  readonly mirror: Map<string, DriverSandbox | undefined>;
  create(init?: TestSandboxInit): Promise<DriverSandbox>;
  waitFor(description: string, condition: () => boolean): Promise<void>;
  phaseOf(id: string): string;
}

async function startHarness(settings: Partial<DockerDriverSettings> = {}, engine = new FakeDockerEngine(), storeOptions: SandboxFileStoreOptions = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'sg-docker-driver-'));
  const store = createSandboxStateStore(join(root, 'state'), storeOptions);
  const driver = new DockerDriver({ engine, store, settings: { ...SETTINGS, ...settings }, logger: silentLogger, sleep: async () => {} });
  await driver.start();
  const abort = new AbortController();
  const ctx: CallContext = { signal: abort.signal, logger: silentLogger, deadline: undefined };
  const events: WatchSandboxesEvent[] = [];
  const mirror = new Map<string, DriverSandbox | undefined>();
  const pump = (async () => {
    for await (const event of driver.watchSandboxes({}, ctx)) {
      events.push(event);
      if (event.payload?.$case === 'sandbox' && event.payload.sandbox.sandbox !== undefined) mirror.set(event.payload.sandbox.sandbox.id, event.payload.sandbox.sandbox);
      if (event.payload?.$case === 'deleted') mirror.set(event.payload.deleted.sandboxId, undefined);
    }
  })();
  // Bounded by wall time, not by turns: the state store does real file I/O, which a loaded
  // machine can delay past any fixed number of event-loop turns (seen in CI).
  const waitFor = async (description: string, condition: () => boolean): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (condition()) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.fail(`timed out after 10 s waiting for ${description}`);
  };
  await waitFor('the first event-stream connection', () => driver.eventConnections >= 1);
  return {
    engine,
    driver,
    store,
    ctx,
    events,
    mirror,
    waitFor,
    phaseOf: (id) => deriveBackendPhase(mirror.get(id)?.status),
    create: async (init = {}) => {
      const sandbox = buildTestSandbox(init, { defaultImage: 'busybox:latest' });
      await driver.validateSandboxCreate({ sandbox }, ctx);
      await driver.createSandbox({ sandbox }, ctx);
      return sandbox;
    },
    [Symbol.asyncDispose]: async () => {
      abort.abort();
      await driver.close();
      await pump.catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    assert.ok(isShellgateError(error), String(error));
    return error.code;
  }
  return 'OK';
}

function readyReason(sandbox: DriverSandbox | undefined): string {
  const ready = findCondition(sandbox?.status?.conditions ?? [], 'Ready');
  return `${ready?.status} ${ready?.reason}: ${ready?.message}`;
}

void describe('DockerDriver with a fake engine', () => {
  void it('creates asynchronously: Provisioning, then Running from the immutable image id', async () => {
    await using h = await startHarness();
    const sandbox = await h.create({ spec: { command: ['sleep', '1000'], tty: true, template: { resources: { cpuRequest: '', cpuLimit: '500m', memoryRequest: '', memoryLimit: '64Mi' } } } });
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    const spec = h.engine.createdSpecs[0]!;
    assert.equal(spec.imageId, 'sha256:busybox');
    assert.deepEqual(spec.entrypoint, [], 'no supervisor: the image keeps its entrypoint');
    assert.equal(spec.hasInit, false, 'no supervisor: the image\'s own PID 1');
    assert.deepEqual(spec.command, ['sleep', '1000']);
    assert.equal(spec.isTty, true);
    assert.equal(spec.mounts.length, 1, 'only the token file is mounted');
    assert.equal(spec.nanoCpus, 500_000_000);
    assert.equal(spec.memoryBytes, 64 * 1024 * 1024);
    assert.equal(spec.pidsLimit, 1024);
    assert.deepEqual(spec.extraHosts, ['host.openshell.internal:172.30.0.1']);
    assert.ok(spec.env.includes('OPENSHELL_ENDPOINT=http://host.openshell.internal:17670'));
    assert.ok(spec.env.includes(`OPENSHELL_SANDBOX_TOKEN_FILE=${SANDBOX_TOKEN_TARGET}`));
    assert.equal(spec.labels[Label.gatewayId], 'gw-1');
    assert.equal(spec.labels[Label.sandboxId], sandbox.id);
    const first = h.events.find((event) => event.payload?.$case === 'sandbox');
    assert.equal(first?.payload?.$case === 'sandbox' && readyReason(first.payload.sandbox.sandbox), 'False Starting: accepted; preparing the image');
  });

  void it('under a supervisor: mounts the bundle read-only and runs its entrypoint with -- and spec.command, the container without a tty', async () => {
    await using h = await startHarness({ supervisorRuntime: SUPERVISOR });
    const sandbox = await h.create({ spec: { command: ['sleep', '1000'] } });
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    const spec = h.engine.createdSpecs[0]!;
    assert.deepEqual(spec.entrypoint, SUPERVISOR.entrypoint);
    assert.deepEqual(spec.command, ['--', 'sleep', '1000']);
    assert.equal(spec.isTty, false);
    assert.equal(spec.hasInit, true, 'tini as PID 1 reaps zombies above the supervisor');
    assert.deepEqual(spec.mounts[1], { type: 'bind', source: '/srv/shellgate/runtime', target: SUPERVISOR_RUNTIME_TARGET, isReadOnly: true });
    assert.equal(spec.imageId, 'sha256:busybox');
  });

  void it("under a supervisor: an empty spec.command runs the image's own entrypoint + cmd, and a tty sandbox passes --tty", async () => {
    const engine = new FakeDockerEngine();
    engine.images.set('app:1', 'sha256:app');
    engine.imageCommands.set('sha256:app', { entrypoint: ['/usr/bin/tini', '--'], cmd: ['python', 'app.py'], user: '' });
    await using h = await startHarness({ supervisorRuntime: SUPERVISOR }, engine);
    const sandbox = await h.create({ spec: { tty: true, template: { image: 'app:1' } } });
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    const spec = engine.createdSpecs[0]!;
    assert.deepEqual(spec.entrypoint, SUPERVISOR.entrypoint);
    assert.deepEqual(spec.command, ['--tty', '--', '/usr/bin/tini', '--', 'python', 'app.py']);
    assert.equal(spec.isTty, false, 'the supervisor gives the main process its pty');
    assert.equal(spec.user, '', 'a root image keeps its user');
  });

  void it('under a supervisor: an image with a non-root USER runs a root supervisor told to run everything as that user', async () => {
    const engine = new FakeDockerEngine();
    engine.images.set('node-app:1', 'sha256:nodeapp');
    engine.imageCommands.set('sha256:nodeapp', { entrypoint: [], cmd: ['node', 'server.js'], user: 'node:staff' });
    engine.images.set('root-app:1', 'sha256:rootapp');
    engine.imageCommands.set('sha256:rootapp', { entrypoint: [], cmd: ['app'], user: 'root:root' });
    await using h = await startHarness({ supervisorRuntime: SUPERVISOR }, engine);
    const nodeApp = await h.create({ spec: { template: { image: 'node-app:1' } } });
    await h.waitFor('Ready', () => h.phaseOf(nodeApp.id) === 'Ready');
    const spec = engine.createdSpecs[0]!;
    assert.equal(spec.user, '0:0', 'only root reads the 0600 token file');
    assert.deepEqual(spec.command, ['--user', 'node:staff', '--', 'node', 'server.js']);
    const rootApp = await h.create({ spec: { template: { image: 'root-app:1' } } });
    await h.waitFor('Ready', () => h.phaseOf(rootApp.id) === 'Ready');
    assert.equal(engine.createdSpecs[1]!.user, '');
    assert.deepEqual(engine.createdSpecs[1]!.command, ['--', 'app']);
  });

  void it('without a supervisor: an image with a non-root USER keeps it', async () => {
    const engine = new FakeDockerEngine();
    engine.images.set('node-app:1', 'sha256:nodeapp');
    engine.imageCommands.set('sha256:nodeapp', { entrypoint: [], cmd: ['node', 'server.js'], user: 'node' });
    await using h = await startHarness({}, engine);
    const sandbox = await h.create({ spec: { template: { image: 'node-app:1' } } });
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    assert.equal(engine.createdSpecs[0]!.user, '');
  });

  void it('under a supervisor: an image without entrypoint or cmd and no spec.command fails ContainerCreateFailed', async () => {
    const engine = new FakeDockerEngine();
    engine.images.set('scratch-app:1', 'sha256:bare');
    await using h = await startHarness({ supervisorRuntime: SUPERVISOR }, engine);
    const sandbox = await h.create({ spec: { template: { image: 'scratch-app:1' } } });
    await h.waitFor('Error', () => h.phaseOf(sandbox.id) === 'Error');
    assert.match(readyReason(h.mirror.get(sandbox.id)), /^False ContainerCreateFailed: .*image scratch-app:1 has no ENTRYPOINT or CMD.*spec\.command/);
    assert.equal(engine.createdSpecs.length, 0);
  });

  void it('refuses a driver_config mount at or under the supervisor runtime target', async () => {
    await using h = await startHarness({ supervisorRuntime: SUPERVISOR });
    for (const target of [SUPERVISOR_RUNTIME_TARGET, `${SUPERVISOR_RUNTIME_TARGET}/bin`]) {
      const sandbox = buildTestSandbox({ spec: { template: { driverConfig: { mounts: [{ type: 'tmpfs', target }] } } } });
      assert.equal(await codeOf(h.driver.validateSandboxCreate({ sandbox }, h.ctx)), ErrorCode.InvalidArgument, target);
      assert.equal(await codeOf(h.driver.createSandbox({ sandbox }, h.ctx)), ErrorCode.InvalidArgument, target);
    }
    assert.equal(h.engine.createdSpecs.length, 0);
  });

  void it('publishes Running from the start result, without waiting for an inspect', async () => {
    await using h = await startHarness();
    let releaseInspects = (): void => {};
    h.engine.inspectGate = new Promise((resolve) => (releaseInspects = resolve));
    try {
      const sandbox = await h.create();
      await h.waitFor('Ready while inspects hang', () => h.phaseOf(sandbox.id) === 'Ready');
    } finally {
      releaseInspects();
    }
  });

  void it('shows ContainerExited, not Running, when the container dies before the create hands over', async () => {
    await using h = await startHarness();
    h.engine.afterStart = async (containerId) => {
      h.engine.setState(containerId, 'exited', 3, 'die');
      // Let the driver see the die event while the create is still in flight.
      for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    };
    const sandbox = await h.create();
    await h.waitFor('ContainerExited', () => readyReason(h.mirror.get(sandbox.id)).startsWith('False ContainerExited'));
    assert.match(readyReason(h.mirror.get(sandbox.id)), /code 3/);
  });

  void it('writes the token to a 0600 file (mounted read-only without a supervisor) and a kept copy, and never into env, labels or answers', async () => {
    await using h = await startHarness();
    const token = 'eyJ-super-secret-token';
    const sandbox = await h.create({ spec: { sandboxToken: token } });
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    const tokenPath = h.store.tokenPath(sandbox.id);
    assert.equal(await readFile(tokenPath, 'utf8'), token);
    assert.equal((await stat(tokenPath)).mode & 0o777, 0o600);
    assert.equal(await readFile(h.store.keptTokenPath(sandbox.id), 'utf8'), token);
    const spec = h.engine.createdSpecs[0]!;
    assert.deepEqual(spec.mounts[0], { type: 'bind', source: tokenPath, target: SANDBOX_TOKEN_TARGET, isReadOnly: true });
    assert.ok(!spec.mounts.some((mount) => mount.type === 'bind' && mount.source === h.store.keptTokenPath(sandbox.id)), 'the kept copy is never mounted');
    assert.ok(!JSON.stringify(spec).includes(token), 'token in the container spec');
    const answers = [await h.driver.getSandbox({ sandboxId: sandbox.id, sandboxName: '' }, h.ctx), await h.driver.listSandboxes({}, h.ctx), h.events];
    assert.ok(!JSON.stringify(answers).includes(token), 'token in an answer');
  });

  void it('pulls a missing image under IfNotPresent and reports progress as platform events', async () => {
    const engine = new FakeDockerEngine();
    engine.registry.set('alpine:3', 'sha256:alpine');
    await using h = await startHarness({}, engine);
    const sandbox = await h.create({ spec: { template: { image: 'alpine:3' } } });
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    assert.equal(engine.createdSpecs[0]?.imageId, 'sha256:alpine');
    const reasons = h.events.flatMap((event) => (event.payload?.$case === 'platformEvent' ? [event.payload.platformEvent.event?.reason] : []));
    assert.deepEqual(reasons.slice(0, 2), ['Pulling', 'PullProgress']);
    assert.ok(reasons.includes('Started'));
  });

  const failures: [string, (engine: FakeDockerEngine) => Partial<DockerDriverSettings>, string, RegExp][] = [
    ['Never and a missing image', () => ({ imagePullPolicy: 'Never', defaultImage: 'missing:1' }), 'ImagePullFailed', /not present.*Never/],
    ['a failed pull', () => ({ defaultImage: 'nowhere:1' }), 'ImagePullFailed', /pull access denied/],
    ['a refused create', (e) => (e.failures.set('create', engineHttpError(400, 'invalid mount config')), {}), 'ContainerCreateFailed', /invalid mount config/],
    ['a failed start', (e) => (e.failures.set('start', engineHttpError(500, 'OCI runtime create failed')), {}), 'ContainerStartFailed', /OCI runtime create failed/],
  ];
  for (const [what, arrange, reason, message] of failures) {
    void it(`turns ${what} into terminal Ready=False ${reason} with the engine's message`, async () => {
      const engine = new FakeDockerEngine();
      const settings = arrange(engine);
      await using h = await startHarness(settings, engine);
      const sandbox = await h.create({ spec: { template: { image: '' } } });
      await h.waitFor(reason, () => h.phaseOf(sandbox.id) === 'Error');
      assert.match(readyReason(h.mirror.get(sandbox.id)), new RegExp(`^False ${reason}: `));
      assert.match(readyReason(h.mirror.get(sandbox.id)), message);
      const got = await h.driver.getSandbox({ sandboxId: sandbox.id, sandboxName: '' }, h.ctx);
      assert.equal(deriveBackendPhase(got.sandbox?.status), 'Error');
      assert.equal((await h.store.readState(sandbox.id))?.failure?.reason, reason);
      assert.deepEqual(await h.driver.deleteSandbox({ sandboxId: sandbox.id, sandboxName: '' }, h.ctx), { deleted: true });
      assert.equal(await h.store.readState(sandbox.id), undefined);
    });
  }

  void it('refuses a bind mount of the state directory at ValidateSandboxCreate and at CreateSandbox, creating nothing', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'sg-docker-protected-'));
    await using h = await startHarness({ allowBindMounts: true, bindMounts: { protectedHostPaths: [{ path: stateDir, role: 'the state' }], isEngineLocal: true, engineName: 'Docker' } });
    const sandbox = buildTestSandbox({ spec: { template: { driverConfig: { mounts: [{ type: 'bind', source: stateDir, target: '/s' }] } } } });
    assert.equal(await codeOf(h.driver.validateSandboxCreate({ sandbox }, h.ctx)), ErrorCode.InvalidArgument);
    assert.equal(await codeOf(h.driver.createSandbox({ sandbox }, h.ctx)), ErrorCode.InvalidArgument);
    assert.equal(h.engine.createdSpecs.length, 0);
    await assert.rejects(stat(h.store.sandboxDir(sandbox.id)), 'no token file was written');
    await rm(stateDir, { recursive: true });
  });

  void it('checks bind mounts again right before the create: a source swapped for a link to /etc during the pull fails the sandbox', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-docker-swap-'));
    const source = join(dir, 'data');
    await mkdir(source);
    const engine = new FakeDockerEngine();
    let release!: () => void;
    engine.pullGate = new Promise((resolve) => (release = resolve));
    engine.registry.set('slow:1', 'sha256:slow');
    await using h = await startHarness({ allowBindMounts: true }, engine);
    const sandbox = await h.create({ spec: { template: { image: 'slow:1', driverConfig: { mounts: [{ type: 'bind', source, target: '/data' }] } } } });
    await rm(source, { recursive: true });
    await symlink('/etc', source);
    release();
    await h.waitFor('Error', () => h.phaseOf(sandbox.id) === 'Error');
    assert.match(readyReason(h.mirror.get(sandbox.id)), /^False ContainerCreateFailed: checking bind mounts: .*\(real path "\/etc"\)/);
    assert.equal(engine.createdSpecs.length, 0);
    await rm(dir, { recursive: true });
  });

  void it('a Delete during the container create removes the container the engine still creates', async () => {
    const engine = new FakeDockerEngine();
    let release!: () => void;
    engine.createGate = new Promise((resolve) => (release = resolve));
    await using h = await startHarness({}, engine);
    const sandbox = await h.create();
    await h.waitFor('the create call', () => h.events.some((event) => event.payload?.$case === 'sandbox' && readyReason(event.payload.sandbox.sandbox).includes('creating container')));
    const deleting = h.driver.deleteSandbox({ sandboxId: sandbox.id, sandboxName: '' }, h.ctx);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    assert.equal((await deleting).deleted, true);
    assert.equal(engine.containers.size, 0);
    assert.equal(await codeOf(h.driver.getSandbox({ sandboxId: sandbox.id, sandboxName: '' }, h.ctx)), ErrorCode.NotFound);
  });

  void it('answers ALREADY_EXISTS for a second create of an in-flight or existing id', async () => {
    const engine = new FakeDockerEngine();
    let release!: () => void;
    engine.pullGate = new Promise((resolve) => (release = resolve));
    engine.registry.set('slow:1', 'sha256:slow');
    await using h = await startHarness({}, engine);
    const sandbox = await h.create({ spec: { template: { image: 'slow:1' } } });
    assert.equal(await codeOf(h.driver.createSandbox({ sandbox }, h.ctx)), ErrorCode.AlreadyExists);
    release();
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    assert.equal(await codeOf(h.driver.createSandbox({ sandbox }, h.ctx)), ErrorCode.AlreadyExists);
  });

  void it('rejects cpu/memory requests and GPUs without a GPU runtime with FAILED_PRECONDITION', async () => {
    await using h = await startHarness();
    const withRequest = buildTestSandbox({ spec: { template: { resources: { cpuRequest: '1', cpuLimit: '', memoryRequest: '', memoryLimit: '' } } } });
    assert.equal(await codeOf(h.driver.validateSandboxCreate({ sandbox: withRequest }, h.ctx)), ErrorCode.FailedPrecondition);
    assert.equal(await codeOf(h.driver.createSandbox({ sandbox: withRequest }, h.ctx)), ErrorCode.FailedPrecondition);
    const withGpu = buildTestSandbox({ spec: { resourceRequirements: { gpu: { count: 1 } } } }, { defaultImage: 'busybox:latest' });
    assert.equal(await codeOf(h.driver.validateSandboxCreate({ sandbox: withGpu }, h.ctx)), ErrorCode.FailedPrecondition);
    h.engine.info_ = { ...h.engine.info_, runtimes: ['runc', 'nvidia'] };
    const fresh = await startHarness({}, h.engine);
    await using _fresh = fresh;
    assert.equal(await codeOf(fresh.driver.validateSandboxCreate({ sandbox: withGpu }, fresh.ctx)), 'OK');
    await fresh.driver.createSandbox({ sandbox: withGpu }, fresh.ctx);
    await fresh.waitFor('created', () => fresh.engine.createdSpecs.length > 0);
    assert.deepEqual(fresh.engine.createdSpecs[0]?.deviceRequests, [{ kind: 'gpu', count: 1 }]);
    const unknownKey = buildTestSandbox({ spec: { template: { driverConfig: { volumes: [] } } } });
    assert.equal(await codeOf(h.driver.createSandbox({ sandbox: unknownKey }, h.ctx)), ErrorCode.InvalidArgument);
  });

  void it('only lists and watches containers with managed-by and this gateway id', async () => {
    const engine = new FakeDockerEngine();
    engine.addForeignContainer({ [Label.sandboxId]: 'not-managed' });
    engine.addForeignContainer({ [Label.managedBy]: 'shellgate', [Label.gatewayId]: 'other-gw', [Label.sandboxId]: 'other' });
    const ours = engine.addForeignContainer({ [Label.managedBy]: 'shellgate', [Label.gatewayId]: 'gw-1', [Label.sandboxId]: 'ours', [Label.sandboxName]: 'o' });
    await using h = await startHarness({}, engine);
    const listed = await h.driver.listSandboxes({}, h.ctx);
    assert.deepEqual(listed.sandboxes.map((sandbox) => sandbox.id), ['ours']);
    assert.equal(await codeOf(h.driver.getSandbox({ sandboxId: 'other', sandboxName: '' }, h.ctx)), ErrorCode.NotFound);
    engine.setState(ours, 'exited', 3, 'die');
    await h.waitFor('ContainerExited', () => readyReason(h.mirror.get('ours')).startsWith('False ContainerExited: container exited with code 3'));
  });

  void it('still finds, watches and deletes containers labelled before the shellgate.dev/ vocabulary', async () => {
    const engine = new FakeDockerEngine();
    const legacy = LEGACY_LABEL_KEYS;
    engine.addForeignContainer({ [legacy.managedBy]: 'shellgate', [legacy.gatewayId]: 'other-gw', [legacy.sandboxId]: 'theirs' });
    const old = engine.addForeignContainer({ [legacy.managedBy]: 'shellgate', [legacy.gatewayId]: 'gw-1', [legacy.sandboxId]: 'old', [legacy.sandboxName]: 'o', [legacy.workspace]: 'ws' });
    await using h = await startHarness({}, engine);
    assert.deepEqual((await h.driver.listSandboxes({}, h.ctx)).sandboxes.map((sandbox) => [sandbox.id, sandbox.name, sandbox.workspace]), [['old', 'o', 'ws']]);
    engine.setState(old, 'exited', 4, 'die');
    await h.waitFor('the legacy container exit', () => readyReason(h.mirror.get('old')).startsWith('False ContainerExited: container exited with code 4'));
    assert.equal(await codeOf(h.driver.deleteWorkspace({ workspace: 'ws' }, h.ctx)), ErrorCode.FailedPrecondition);
    assert.deepEqual(await h.driver.deleteSandbox({ sandboxId: 'old', sandboxName: '' }, h.ctx), { deleted: true });
    await h.waitFor('the legacy container deleted', () => h.mirror.has('old') && h.mirror.get('old') === undefined);
  });

  void it('under a supervisor: mounts the token file writable so the supervisor can empty it; expose_token_to_agent mounts it read-only and says --keep-token-file', async () => {
    await using h = await startHarness({ supervisorRuntime: SUPERVISOR });
    const sandbox = await h.create({ spec: { command: ['sleep', '1000'] } });
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    assert.deepEqual(h.engine.createdSpecs[0]!.mounts[0], { type: 'bind', source: h.store.tokenPath(sandbox.id), target: SANDBOX_TOKEN_TARGET, isReadOnly: false });
    await using exposed = await startHarness({ supervisorRuntime: SUPERVISOR, isTokenExposedToAgent: true });
    const open = await exposed.create({ spec: { command: ['sleep', '1000'] } });
    await exposed.waitFor('Ready', () => exposed.phaseOf(open.id) === 'Ready');
    const spec = exposed.engine.createdSpecs[0]!;
    assert.equal(spec.mounts[0]?.type === 'bind' && spec.mounts[0].isReadOnly, true);
    assert.deepEqual(spec.command, ['--keep-token-file', '--', 'sleep', '1000']);
  });

  void it('with supervisor_tls_* files, mounts them read-only beside the runtime and names them for the supervisor', async () => {
    const supervisorTls = { caFile: '/etc/shellgate/ca.pem', client: { certFile: '/etc/shellgate/client.pem', keyFile: '/etc/shellgate/client-key.pem' } };
    await using h = await startHarness({ supervisorRuntime: SUPERVISOR, gatewayScheme: 'https', supervisorTls });
    const sandbox = await h.create({ spec: { command: ['sleep', '1000'] } });
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    const spec = h.engine.createdSpecs[0]!;
    const tlsMounts = spec.mounts.filter((mount) => mount.target.startsWith('/opt/shellgate/tls/'));
    assert.deepEqual(tlsMounts.map((mount) => [mount.type === 'bind' ? mount.source : '', mount.target, mount.isReadOnly]), [
      ['/etc/shellgate/ca.pem', '/opt/shellgate/tls/ca.pem', true],
      ['/etc/shellgate/client.pem', '/opt/shellgate/tls/client.pem', true],
      ['/etc/shellgate/client-key.pem', '/opt/shellgate/tls/client-key.pem', true],
    ]);
    assert.deepEqual(spec.env.filter((entry) => entry.startsWith('OPENSHELL_TLS_') || entry.startsWith('OPENSHELL_ENDPOINT=')), [
      'OPENSHELL_ENDPOINT=https://host.openshell.internal:17670',
      'OPENSHELL_TLS_CA_FILE=/opt/shellgate/tls/ca.pem',
      'OPENSHELL_TLS_CERT_FILE=/opt/shellgate/tls/client.pem',
      'OPENSHELL_TLS_KEY_FILE=/opt/shellgate/tls/client-key.pem',
    ]);
  });

  void it('delivers the token again before a start, after the last run\'s supervisor emptied the file', async () => {
    await using h = await startHarness({ supervisorRuntime: SUPERVISOR });
    const sandbox = await h.create({ spec: { sandboxToken: 'jwt-for-every-start' } });
    const ref = { sandboxId: sandbox.id, sandboxName: '' };
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    const tokenPath = h.store.tokenPath(sandbox.id);
    await truncate(tokenPath, 0);
    await h.driver.startSandbox(ref, h.ctx);
    assert.equal(await readFile(tokenPath, 'utf8'), '', 'a running container keeps its mounted file: nothing replaced');
    await h.driver.stopSandbox(ref, h.ctx);
    await h.driver.startSandbox(ref, h.ctx);
    assert.equal(await readFile(tokenPath, 'utf8'), 'jwt-for-every-start');
    assert.equal((await stat(tokenPath)).mode & 0o777, 0o600);
  });

  void it('a start whose token is lost is FAILED_PRECONDITION, and the container stays stopped', async () => {
    await using h = await startHarness({ supervisorRuntime: SUPERVISOR });
    const sandbox = await h.create();
    const ref = { sandboxId: sandbox.id, sandboxName: '' };
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    await h.driver.stopSandbox(ref, h.ctx);
    await rm(h.store.keptTokenPath(sandbox.id));
    await truncate(h.store.tokenPath(sandbox.id), 0);
    assert.equal(await codeOf(h.driver.startSandbox(ref, h.ctx)), ErrorCode.FailedPrecondition);
    assert.equal([...h.engine.containers.values()][0]?.info.state, 'exited');
  });

  void it('stops to Suspended=True (kept across restarts), starts again, and deletes idempotently', async () => {
    await using h = await startHarness();
    const sandbox = await h.create();
    const ref = { sandboxId: sandbox.id, sandboxName: '' };
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    await h.driver.stopSandbox(ref, h.ctx);
    await h.driver.stopSandbox(ref, h.ctx);
    await h.waitFor('Stopped', () => h.phaseOf(sandbox.id) === 'Stopped');
    const restarted = new DockerDriver({ engine: h.engine, store: h.store, settings: SETTINGS, logger: silentLogger });
    await restarted.start();
    assert.equal(deriveBackendPhase((await restarted.getSandbox(ref, h.ctx)).sandbox?.status), 'Stopped');
    await restarted.close();
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

  void it('answers create and stop on a full state dir with RESOURCE_EXHAUSTED naming it, and creates no container', async () => {
    let isFull = false;
    const writeFile: SandboxFileSystem['writeFile'] = async (...args) => {
      if (isFull) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return fsPromises.writeFile(...args);
    };
    await using h = await startHarness({}, new FakeDockerEngine(), { fs: { ...fsPromises, writeFile } });
    const sandbox = await h.create();
    const ref = { sandboxId: sandbox.id, sandboxName: '' };
    await h.waitFor('Ready', () => h.phaseOf(sandbox.id) === 'Ready');
    isFull = true;
    for (const call of [h.create(), h.driver.stopSandbox(ref, h.ctx)]) {
      await assert.rejects(call, (error: unknown) => {
        assert.ok(isShellgateError(error), String(error));
        assert.equal(error.code, ErrorCode.ResourceExhausted);
        assert.match(error.message, new RegExp(`no space left on the filesystem holding ${h.store.rootDir} \\(ENOSPC\\)`));
        return true;
      });
    }
    assert.equal(h.engine.createdSpecs.length, 1, 'no container for the refused create');
    assert.equal(h.phaseOf(sandbox.id), 'Ready', 'the refused stop left the sandbox running');
    isFull = false;
    const next = await h.create();
    await h.waitFor('Ready after space came back', () => h.phaseOf(next.id) === 'Ready');
  });

  void it('reconnects when the event stream drops and resyncs what changed meanwhile', async () => {
    await using h = await startHarness();
    const kept = await h.create();
    const removed = await h.create();
    await h.waitFor('both Ready', () => h.phaseOf(kept.id) === 'Ready' && h.phaseOf(removed.id) === 'Ready');
    h.engine.endStreams();
    // While disconnected: one container exits, the other is removed; no stream sees it.
    const [keptId, removedId] = [kept, removed].map((sandbox) => [...h.engine.containers.values()].find((c) => c.info.labels[Label.sandboxId] === sandbox.id)!.info.id);
    h.engine.setState(keptId!, 'exited', 1);
    h.engine.containers.delete(removedId!);
    await h.waitFor('a second connection', () => h.driver.eventConnections >= 2);
    await h.waitFor('resync', () => h.phaseOf(kept.id) === 'Error' && h.mirror.get(removed.id) === undefined);
    assert.match(readyReason(h.mirror.get(kept.id)), /ContainerExited: container exited with code 1/);
  });

  void it('retries opening the event stream after a failure', async () => {
    const engine = new FakeDockerEngine();
    engine.failures.set('openEvents', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await using h = await startHarness({}, engine);
    assert.equal(h.driver.eventConnections, 1);
  });

  void it('answers capabilities and the exact-address listener requirement as IP:port', async () => {
    await using h = await startHarness({ hostGatewayIp: '10.1.2.3' });
    assert.deepEqual(h.driver.getCapabilities(), { driverName: 'docker', driverVersion: '0.1.0', defaultImage: 'busybox:latest', gatewayManagesLifecycle: true });
    const { requirements } = await h.driver.getGatewayListenerRequirements({}, h.ctx);
    assert.deepEqual(requirements[0]?.selector, { $case: 'exactBindAddress', exactBindAddress: '10.1.2.3:17670' });
    assert.ok(h.engine.networks.has('shellgate'));
  });
});
