import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ErrorCode, silentLogger } from '@shellgate/driver-sdk';
import type { CallContext, DriverSandbox, ShellgateError } from '@shellgate/driver-sdk';
import { buildTestSandbox } from '@shellgate/driver-sdk/testing';

import type { RunHostCommand } from './host/run-host-command.js';
import type { ImageConfig } from './image/image-source.js';
import { ImageUnavailableError } from './image/image-source.js';
import type { SandboxBooter } from './sandbox/vm-booter.js';
import type { VmDriverSettings } from './settings.js';
import { createSandboxStateStore } from './state.js';
import type { SandboxStateStore, StoredLaunch, VmSandboxRecord } from './state.js';
import { VmDriver } from './vm-driver.js';
import type { VmExit, VmHandle } from './vm/running-vm.js';
import type { RecoveryOutcome, SandboxRecovery } from './vm/vm-recovery.js';

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

const IMAGE: ImageConfig = { id: 'sha256:feed', entrypoint: [], cmd: ['sleep', 'infinity'], env: [], user: '', workingDir: '' };
const CTX: CallContext = { signal: new AbortController().signal } as CallContext;

function settingsFor(stateDir: string): VmDriverSettings {
  return {
    defaultImage: 'busybox:test',
    imageEngine: 'docker',
    imageArchiveDir: undefined,
    stateDir,
    cacheDir: join(stateDir, 'cache'),
    runDir: join(stateDir, 'run'),
    kernel: 'debian',
    kernelPackage: 'linux-image-cloud-amd64',
    kernelDeb: undefined,
    accelerator: 'tcg',
    qemuBinary: 'qemu-system-x86_64',
    busyboxPath: '/bin/busybox',
    defaultVcpus: 1,
    maxVcpus: 2,
    defaultMemoryMib: 256,
    maxMemoryMib: 1024,
    diskSizeMib: 64,
    maxDiskSizeMib: 128,
    isOutboundAllowed: false,
    callbackAddress: '127.0.0.2',
    stopTimeoutSeconds: 1,
    qemuUidBase: undefined,
    gatewayPort: 17670,
    gatewayScheme: 'http',
    gatewayId: 'gw-test',
    isTokenExposedToAgent: false,
    supervisorRuntime: undefined,
    supervisorTls: undefined,
  };
}

/** A VM whose end the test decides: `end(exit)`; stop and kill end it as the guest would. */
class FakeVm implements VmHandle {
  readonly identity: { pid: number; startTicks: number };
  readonly runDir = '/run/fake';
  readonly exited: Promise<VmExit>;
  readonly calls: string[] = [];
  #end: (exit: VmExit) => void = () => undefined;
  #isRunning = true;

  constructor(readonly sandboxId: string, pid: number) {
    this.identity = { pid, startTicks: 1 };
    this.exited = new Promise((resolve) => (this.#end = resolve));
  }

  get isRunning(): boolean {
    return this.#isRunning;
  }

  end(exit: Partial<VmExit> = {}): void {
    this.#isRunning = false;
    this.#end({ qemuExitCode: 0, signal: null, entrypointExitCode: undefined, consoleTail: [], atMs: 1, ...exit });
  }

  stop(graceSeconds: number): Promise<VmExit> {
    this.calls.push(`stop ${graceSeconds}`);
    this.end({ entrypointExitCode: 143 });
    return this.exited;
  }

  kill(): Promise<VmExit> {
    this.calls.push('kill');
    this.end({ signal: 'SIGKILL', qemuExitCode: null });
    return this.exited;
  }

  detach(): void {
    this.calls.push('detach');
  }
}

class FakeBooter implements SandboxBooter {
  readonly vms: FakeVm[] = [];
  readonly launches: StoredLaunch[] = [];
  constructor(private readonly store: SandboxStateStore) {}

  instanceIdOf(sandboxId: string): string {
    return `vm-${sandboxId}`;
  }

  async boot(record: VmSandboxRecord, launch: StoredLaunch): Promise<VmHandle> {
    const vm = new FakeVm(record.id, 1000 + this.vms.length);
    this.vms.push(vm);
    this.launches.push(launch);
    await this.store.writeState({ ...record, process: { pid: vm.identity.pid, startTicks: 1, runDir: vm.runDir, bootedAtMs: 1 } });
    return vm;
  }
}

/** mke2fs as the provisioner calls it: the image file is the second-to-last argument. */
const fakeRun: RunHostCommand = async (_file, args) => {
  await writeFile(args.at(-2)!, 'ext4');
  return '';
};

function startDriver(options: { root?: string; images?: Record<string, ImageConfig>; recovery?: (record: VmSandboxRecord) => RecoveryOutcome } = {}): { driver: VmDriver; booter: FakeBooter; root: string; store: SandboxStateStore; ready: Promise<void> } {
  const root = options.root ?? mkdtempSync(join(tmpdir(), 'sg-vm-driver-'));
  roots.push(root);
  const store = createSandboxStateStore(root);
  const booter = new FakeBooter(store);
  const images = options.images ?? { 'busybox:test': IMAGE };
  const recovery: SandboxRecovery = { recover: async (record) => options.recovery?.(record) ?? (record.failure !== undefined ? { kind: 'failed', record: { ...record, failure: record.failure } } : { kind: 'idle' }) };
  const driver = new VmDriver({
    settings: settingsFor(root),
    store,
    booter,
    provisioning: {
      baseDisks: {
        ensure: async (reference) => {
          const config = images[reference];
          if (config === undefined) throw new ImageUnavailableError(`image ${reference} is not in the local image store; pull or build it first`);
          return { reference, config, path: '/cache/base.erofs' };
        },
      },
      run: fakeRun,
      endpoint: 'http://host.openshell.internal:17670',
      tls: undefined,
    },
    accelerator: () => ({ accelerator: 'tcg', reason: 'test' }),
    recovery,
    logger: silentLogger,
  });
  return { driver, booter, root, store, ready: driver.start() };
}

async function waitForCondition(driver: VmDriver, sandboxId: string, type: string, predicate: (condition: { status: string; reason: string; message: string }) => boolean): Promise<DriverSandbox> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const { sandbox } = await driver.getSandbox({ sandboxId, sandboxName: '' });
    const condition = sandbox?.status?.conditions.find((candidate) => candidate.type === type);
    if (condition !== undefined && predicate(condition)) return sandbox!;
    if (Date.now() > deadline) throw new Error(`${sandboxId}: ${type} never matched; conditions: ${JSON.stringify(sandbox?.status?.conditions)}`);
    await sleep(10);
  }
}

describe('VmDriver', () => {
  it('creates a sandbox: token and state written, image resolved, disks made, VM booted, Ready', async () => {
    const { driver, booter, store, ready } = startDriver();
    await ready;
    const sandbox = buildTestSandbox({ spec: { sandboxToken: 'secret-token', template: { image: '' } } });
    await driver.createSandbox({ sandbox });
    await waitForCondition(driver, sandbox.id, 'Ready', (condition) => condition.status === 'True');
    assert.equal(await driver.getSandbox({ sandboxId: sandbox.id, sandboxName: '' }).then((answer) => answer.sandbox?.status?.instanceId), `vm-${sandbox.id}`);
    const launch = booter.launches[0]!;
    assert.equal(launch.imageId, IMAGE.id);
    assert.deepEqual(launch.command, ['sleep', 'infinity']);
    assert.ok(!JSON.stringify(launch).includes('secret-token'), 'the launch (and so the state file) never holds the token');
    assert.equal((await store.readState(sandbox.id))?.launch?.imageReference, 'busybox:test');
    await assert.rejects(driver.createSandbox({ sandbox }), (error: ShellgateError) => error.code === ErrorCode.AlreadyExists);
    await driver.close();
    assert.deepEqual(booter.vms[0]!.calls, ['detach'], 'closing the driver leaves the VM running');
  });

  it('fails a missing image for good with ImagePullFailed, also after a restart', async () => {
    const first = startDriver({ images: {} });
    await first.ready;
    const sandbox = buildTestSandbox({ spec: { template: { image: 'nope:1' } } });
    await first.driver.createSandbox({ sandbox });
    const failed = await waitForCondition(first.driver, sandbox.id, 'Ready', (condition) => condition.reason === 'ImagePullFailed');
    assert.match(failed.status!.conditions[0]!.message, /nope:1 is not in the local image store/);
    await assert.rejects(first.driver.stopSandbox({ sandboxId: sandbox.id, sandboxName: '' }, CTX), (error: ShellgateError) => error.code === ErrorCode.FailedPrecondition);
    await first.driver.close();
    const second = startDriver({ root: first.root, images: {} });
    await second.ready;
    const listed = await second.driver.listSandboxes();
    assert.equal(listed.sandboxes.find((candidate) => candidate.id === sandbox.id)?.status?.conditions.find((condition) => condition.type === 'Ready')?.reason, 'ImagePullFailed');
    await second.driver.close();
  });

  it('stops (Suspended, disks kept) and starts again (a new boot, Ready)', async () => {
    const { driver, booter, ready } = startDriver();
    await ready;
    const sandbox = buildTestSandbox({ spec: { template: { image: 'busybox:test' } } });
    await driver.createSandbox({ sandbox });
    const ref = { sandboxId: sandbox.id, sandboxName: '' };
    await driver.stopSandbox(ref, CTX);
    assert.deepEqual(booter.vms[0]!.calls, ['stop 1']);
    await waitForCondition(driver, sandbox.id, 'Suspended', (condition) => condition.status === 'True');
    await driver.startSandbox(ref, CTX);
    assert.equal(booter.vms.length, 2, 'a start boots a new VM');
    await waitForCondition(driver, sandbox.id, 'Ready', (condition) => condition.status === 'True');
    await driver.startSandbox(ref, CTX);
    assert.equal(booter.vms.length, 2, 'starting a running sandbox boots nothing');
    await driver.close();
  });

  it('shows a VM that ended on its own as ContainerExited with how it ended', async () => {
    const { driver, booter, ready } = startDriver();
    await ready;
    const sandbox = buildTestSandbox({ spec: { template: { image: 'busybox:test' } } });
    await driver.createSandbox({ sandbox });
    await waitForCondition(driver, sandbox.id, 'Ready', (condition) => condition.status === 'True');
    booter.vms[0]!.end({ signal: 'SIGKILL', qemuExitCode: null });
    const ended = await waitForCondition(driver, sandbox.id, 'Ready', (condition) => condition.reason === 'ContainerExited');
    assert.match(ended.status!.conditions.find((condition) => condition.type === 'Ready')!.message, /QEMU was killed by SIGKILL/);
    await driver.close();
  });

  it('deletes a running sandbox: the VM killed, its files gone, NotFound after', async () => {
    const { driver, booter, store, ready } = startDriver();
    await ready;
    const sandbox = buildTestSandbox({ spec: { template: { image: 'busybox:test' } } });
    await driver.createSandbox({ sandbox });
    await waitForCondition(driver, sandbox.id, 'Ready', (condition) => condition.status === 'True');
    const ref = { sandboxId: sandbox.id, sandboxName: '' };
    assert.deepEqual(await driver.deleteSandbox(ref), { deleted: true });
    assert.deepEqual(booter.vms[0]!.calls, ['kill']);
    await sleep(20);
    assert.equal(await store.readState(sandbox.id), undefined, 'the exit record did not bring the files back');
    await assert.rejects(driver.getSandbox(ref), (error: ShellgateError) => error.code === ErrorCode.NotFound);
    assert.deepEqual(await driver.deleteSandbox(ref), { deleted: false });
    await driver.close();
  });

  it('finds the running VMs of a previous driver process again and lists them Ready', async () => {
    const first = startDriver();
    await first.ready;
    const sandbox = buildTestSandbox({ spec: { template: { image: 'busybox:test' } } });
    await first.driver.createSandbox({ sandbox });
    await waitForCondition(first.driver, sandbox.id, 'Ready', (condition) => condition.status === 'True');
    await first.driver.close();
    const found = new FakeVm(sandbox.id, 4242);
    const second = startDriver({ root: first.root, recovery: (record) => ({ kind: 'running', vm: record.id === sandbox.id ? found : new FakeVm(record.id, 1) }) });
    await second.ready;
    await waitForCondition(second.driver, sandbox.id, 'Ready', (condition) => condition.status === 'True');
    assert.equal(second.booter.vms.length, 0, 'nothing was booted again');
    await second.driver.close();
  });

  it('refuses an invalid sandbox before writing anything', async () => {
    const { driver, store, ready } = startDriver();
    await ready;
    const sandbox = buildTestSandbox({ spec: { template: { image: 'busybox:test', driverConfig: { vcpus: 64 } } } });
    await assert.rejects(driver.createSandbox({ sandbox }), (error: ShellgateError) => error.code === ErrorCode.InvalidArgument && /driver_config\.vm\.vcpus/.test(error.message));
    assert.equal(await store.readState(sandbox.id), undefined);
    await driver.close();
  });

  it('asks the gateway for a callback listener on its loopback address and reports the accelerator', async () => {
    const { driver, ready } = startDriver();
    await ready;
    const { requirements } = driver.getGatewayListenerRequirements();
    assert.deepEqual(requirements[0]?.selector, { $case: 'exactBindAddress', exactBindAddress: '127.0.0.2:17670' });
    await sleep(5);
    const capabilities = driver.getCapabilities();
    assert.deepEqual([capabilities.driverName, capabilities.gatewayManagesLifecycle], ['vm', true]);
    assert.match(capabilities.driverVersion, /^0\.1\.0 \(tcg: test\)$/);
    await driver.close();
  });
});
