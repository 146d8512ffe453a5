import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, ShellgateError, isShellgateError, silentLogger } from '@shellgate/driver-sdk';
import type { DriverClient } from '@shellgate/driver-sdk';
import { DriverManager } from './driver-manager.js';
import type { DriverManagerOptions } from './driver-manager.js';
import type { DriverExit } from './driver-process.js';
import type { DriverSpec } from './driver-selection.js';
import type { SleepFn, SupervisedProcess } from './driver-supervisor.js';

/** Sleeps that end only when the test releases them: no real waiting, full control. */
class ManualSleeper {
  readonly history: number[] = [];
  #pending: Array<{ ms: number; resolve: () => void }> = [];
  readonly sleep: SleepFn = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new Error('aborted'));
      this.history.push(ms);
      this.#pending.push({ ms, resolve });
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  async release(predicate: (ms: number) => boolean): Promise<void> {
    const due = this.#pending.filter((entry) => predicate(entry.ms));
    this.#pending = this.#pending.filter((entry) => !predicate(entry.ms));
    for (const entry of due) entry.resolve();
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

interface FakeClient extends DriverClient {
  isClosed: boolean;
  isHealthy: boolean;
}

let clientCount = 0;
function fakeClient(driverName = 'fake'): FakeClient {
  clientCount += 1;
  const id = clientCount;
  const client = {
    socketPath: `/fake/${id}.sock`,
    capabilities: { driverName, driverVersion: `v${id}`, defaultImage: '', gatewayManagesLifecycle: false },
    isClosed: false,
    isHealthy: true,
    getCapabilities: async () => {
      if (!client.isHealthy) throw new ShellgateError(ErrorCode.DeadlineExceeded, 'GetCapabilities timed out');
      return client.capabilities;
    },
    close: async () => {
      client.isClosed = true;
    },
  };
  return client as unknown as FakeClient;
}

class FakeProcess implements SupervisedProcess {
  static nextPid = 1000;
  readonly pid = (FakeProcess.nextPid += 1);
  readonly exited: Promise<DriverExit>;
  readonly client: FakeClient;
  isKilled = false;
  isStopped = false;
  #exit!: (exit: DriverExit) => void;
  constructor(client: FakeClient, readonly failReady?: Error) {
    this.client = client;
    this.exited = new Promise((resolve) => (this.#exit = resolve));
  }
  async start(): Promise<void> {}
  async waitReady(): Promise<DriverClient> {
    if (this.failReady !== undefined) throw this.failReady;
    return this.client;
  }
  crash(): void {
    this.#exit({ exitCode: undefined, signal: 'SIGKILL' });
  }
  async stop(): Promise<DriverExit> {
    this.isStopped = true;
    this.#exit({ exitCode: 0, signal: undefined });
    return this.exited;
  }
  async kill(): Promise<DriverExit> {
    this.isKilled = true;
    this.#exit({ exitCode: undefined, signal: 'SIGKILL' });
    return this.exited;
  }
}

const spawned = (name: string): DriverSpec => ({ name, kind: 'command', command: ['/bin/fake'], driverConfig: {}, origin: `test:${name}` });
const dialed = (name: string): DriverSpec => ({ name, kind: 'socket', socketPath: `/run/${name}.sock`, driverConfig: {}, origin: `test:${name}` });

function manager(drivers: DriverSpec[], sleeper: ManualSleeper, overrides: Partial<DriverManagerOptions> = {}): DriverManager {
  return new DriverManager(
    { drivers, defaultDriverName: drivers[0]?.name ?? '' },
    // The fake processes never make a run dir.
    { logger: silentLogger, logLevel: 'info', runRoot: '/nonexistent/run', sleep: sleeper.sleep, random: () => 1, healthIntervalMs: 5_000, healthMisses: 3, ...overrides },
  );
}

void test('a spawned driver that crashes is restarted after backoff, with events and a new current client', async () => {
  const sleeper = new ManualSleeper();
  const processes: FakeProcess[] = [];
  const drivers = manager([spawned('a')], sleeper, {
    createProcess: () => {
      const process = new FakeProcess(fakeClient());
      processes.push(process);
      return process;
    },
  });
  const events: string[] = [];
  drivers.onDriverUnavailable((driver, reason) => events.push(`unavailable ${driver.name}: ${reason}`));
  drivers.onDriverRestarted((driver, client) => events.push(`restarted ${driver.name} ${client.capabilities.driverVersion}`));
  await drivers.start();
  const driver = drivers.get('a');
  const first = driver.client;
  assert.equal(driver.isAvailable, true);
  assert.equal(driver.pid, processes[0]?.pid);
  processes[0]?.crash();
  await settle();
  assert.equal(driver.isAvailable, false);
  assert.throws(() => driver.client, (error: unknown) => isShellgateError(error) && error.code === ErrorCode.Unavailable);
  assert.equal(driver.capabilities?.driverVersion, first.capabilities.driverVersion, 'capabilities survive the outage');
  assert.equal((first as FakeClient).isClosed, true);
  await sleeper.release((ms) => ms === 250);
  assert.equal(processes.length, 2);
  assert.notEqual(driver.client, first);
  assert.equal(driver.pid, processes[1]?.pid);
  assert.deepEqual(events, [
    'unavailable a: driver process exited unexpectedly (killed by SIGKILL)',
    `restarted a ${driver.client.capabilities.driverVersion}`,
  ]);
  await drivers.close();
  assert.equal(processes[1]?.isStopped, true);
});

void test('a driver that stops answering health probes is killed and restarted; failed restarts back off exponentially', async () => {
  const sleeper = new ManualSleeper();
  const processes: FakeProcess[] = [];
  const drivers = manager([spawned('a')], sleeper, {
    createProcess: () => {
      const failReady = processes.length >= 1 && processes.length <= 3 ? new Error('not ready') : undefined;
      const process = new FakeProcess(fakeClient(), failReady);
      processes.push(process);
      return process;
    },
  });
  await drivers.start();
  const first = processes[0]!;
  first.client.isHealthy = false;
  for (let probe = 0; probe < 2; probe += 1) await sleeper.release((ms) => ms === 5_000);
  assert.equal(first.isKilled, false, 'two misses are tolerated');
  await sleeper.release((ms) => ms === 5_000);
  assert.equal(first.isKilled, true, 'third miss kills the hung driver');
  for (const ms of [250, 500, 1_000, 2_000]) await sleeper.release((pending) => pending === ms);
  assert.deepEqual(sleeper.history.filter((ms) => ms !== 5_000), [250, 500, 1_000, 2_000]);
  assert.equal(processes.length, 5);
  assert.equal(drivers.get('a').isAvailable, true);
  await drivers.close();
});

void test('a socket driver is dialed, re-dialed in the background after loss, and never spawned', async () => {
  const sleeper = new ManualSleeper();
  const clients: FakeClient[] = [];
  const dials: Array<{ path: string; timeoutMs: number | undefined }> = [];
  const drivers = manager([dialed('lxd')], sleeper, {
    connectTimeoutMs: 1_234,
    createProcess: () => assert.fail('a socket driver must never be spawned'),
    connect: async (path, options) => {
      dials.push({ path, timeoutMs: options.connectTimeoutMs });
      const client = fakeClient();
      clients.push(client);
      return client;
    },
  });
  await drivers.start();
  assert.deepEqual(dials, [{ path: '/run/lxd.sock', timeoutMs: 1_234 }]);
  clients[0]!.isHealthy = false;
  for (let probe = 0; probe < 3; probe += 1) await sleeper.release((ms) => ms === 5_000);
  assert.equal(drivers.get('lxd').isAvailable, false);
  await sleeper.release((ms) => ms === 250);
  assert.equal(dials.length, 2);
  assert.equal(drivers.get('lxd').client, clients[1]);
  await drivers.close();
  assert.equal(clients[1]?.isClosed, true);
});

void test('a driver whose capabilities have no driver_name fails startup naming what to upgrade', async () => {
  const sleeper = new ManualSleeper();
  const processes: FakeProcess[] = [];
  const spec: DriverSpec = { ...spawned('docker'), kind: 'builtin', packageName: '@shellgate/driver-docker' };
  const drivers = manager([spec], sleeper, {
    createProcess: () => {
      const process = new FakeProcess(fakeClient(''));
      processes.push(process);
      return process;
    },
  });
  await assert.rejects(drivers.start(), (error: unknown) => {
    assert.ok(isShellgateError(error));
    assert.equal(error.name, 'DriverProtocolError');
    assert.match(error.message, /driver "docker" answered GetCapabilities without driver_name/);
    assert.match(error.hint ?? '', /upgrade @shellgate\/driver-docker/);
    return true;
  });
  assert.equal(processes[0]?.isStopped, true);
  assert.equal(processes[0]?.client.isClosed, true);
});

void test('when one driver cannot start, the others are stopped and the error names the failing one', async () => {
  const sleeper = new ManualSleeper();
  const processes: FakeProcess[] = [];
  const drivers = manager([spawned('good'), spawned('bad')], sleeper, {
    createProcess: (options) => {
      const process = new FakeProcess(fakeClient(), options.name === 'bad' ? new Error('bad never became ready') : undefined);
      processes.push(process);
      return process;
    },
  });
  await assert.rejects(drivers.start(), /bad never became ready/);
  assert.equal(processes.find((process) => process.failReady === undefined)?.isStopped, true);
  assert.throws(() => drivers.get('nope'), (error: unknown) => isShellgateError(error) && error.code === ErrorCode.NotFound && /one of good, bad/.test(error.hint ?? ''));
  assert.deepEqual(drivers.list().map((driver) => [driver.name, driver.kind]), [['good', 'command'], ['bad', 'command']]);
});
