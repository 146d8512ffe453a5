import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorCode, isShellgateError } from '../errors.js';
import type { DriverSandbox, WatchSandboxesEvent } from '../gen/compute_driver.js';
import { silentLogger } from '../logging/logger.js';
import type { CallContext } from '../server/index.js';
import type { PollingTimers } from '../watch/index.js';
import { FakeDriver } from './fake-driver.js';
import { parseFakeDriverScript } from './parse-fake-driver-script.js';

const ctx: CallContext = { signal: new AbortController().signal, logger: silentLogger, deadline: undefined };

/** Timers the test fires by hand: no sleeps. */
class ManualTimers implements PollingTimers {
  readonly #pending = new Map<number, { callback: () => void; delayMs: number }>();
  #next = 1;
  setTimeout(callback: () => void, delayMs: number): unknown {
    const handle = this.#next++;
    this.#pending.set(handle, { callback, delayMs });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }
  get size(): number {
    return this.#pending.size;
  }
  /** Fires every pending timer, then lets the promise chains they start settle. */
  async fireAll(): Promise<void> {
    const due = [...this.#pending.values()];
    this.#pending.clear();
    for (const { callback } of due) callback();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function sandbox(id: string, name = id): DriverSandbox {
  return {
    id,
    name,
    namespace: '',
    workspace: '',
    status: undefined,
    spec: {
      logLevel: '',
      environment: {},
      template: undefined,
      resourceRequirements: undefined,
      sandboxToken: 'secret-token',
      command: [],
      tty: false,
    },
  };
}

function condition(sb: DriverSandbox | undefined, type: string): string | undefined {
  return sb?.status?.conditions.find((c) => c.type === type)?.status;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => assert.fail('expected an error'), (caught: unknown) => caught);
  assert.ok(isShellgateError(error), String(error));
  return error.code;
}

async function collect(events: AsyncIterable<WatchSandboxesEvent>, count: number): Promise<WatchSandboxesEvent[]> {
  const seen: WatchSandboxesEvent[] = [];
  for await (const event of events) {
    seen.push(event);
    if (seen.length === count) break;
  }
  return seen;
}

void test('capabilities come from the script defaults', async () => {
  const driver = await FakeDriver.create({ script: parseFakeDriverScript({ gateway_manages_lifecycle: true }) });
  assert.deepEqual(await driver.getCapabilities({}, ctx), {
    driverName: 'fake',
    driverVersion: '0.1.0',
    defaultImage: 'fake/image:latest',
    gatewayManagesLifecycle: true,
  });
});

void test('create publishes Provisioning then Ready, and never keeps the token', async () => {
  const driver = await FakeDriver.create({ script: parseFakeDriverScript({}) });
  const controller = new AbortController();
  const watch = driver.watchSandboxes({}, { ...ctx, signal: controller.signal });
  const collected = collect(watch, 2);
  await driver.createSandbox({ sandbox: sandbox('a') }, ctx);
  const [provisioning, ready] = await collected;
  controller.abort();
  assert.equal(provisioning?.payload?.$case, 'sandbox');
  const first = provisioning?.payload?.$case === 'sandbox' ? provisioning.payload.sandbox.sandbox : undefined;
  assert.equal(first?.status?.conditions.find((c) => c.type === 'Ready')?.reason, 'Starting');
  assert.equal(condition(first, 'Ready'), 'False');
  const second = ready?.payload?.$case === 'sandbox' ? ready.payload.sandbox.sandbox : undefined;
  assert.equal(condition(second, 'Ready'), 'True');
  const { sandbox: got } = await driver.getSandbox({ sandboxId: 'a', sandboxName: '' }, ctx);
  assert.equal(got?.spec?.sandboxToken, '');
  assert.equal((await driver.getSandbox({ sandboxId: '', sandboxName: 'a' }, ctx)).sandbox?.id, 'a');
});

void test('ready_delay_ms keeps a sandbox Provisioning until the timer fires', async () => {
  const timers = new ManualTimers();
  const driver = await FakeDriver.create({ script: parseFakeDriverScript({ ready_delay_ms: 500 }), timers });
  await driver.createSandbox({ sandbox: sandbox('a') }, ctx);
  const get = async (): Promise<DriverSandbox> => (await driver.getSandbox({ sandboxId: 'a', sandboxName: '' }, ctx)).sandbox!;
  assert.equal(condition(await get(), 'Ready'), 'False');
  await timers.fireAll();
  assert.equal(condition(await get(), 'Ready'), 'True');
});

void test('stop suspends, start resumes, both idempotent; unknown ids are NOT_FOUND', async () => {
  const driver = await FakeDriver.create({ script: parseFakeDriverScript({}) });
  await driver.createSandbox({ sandbox: sandbox('a') }, ctx);
  const ref = { sandboxId: 'a', sandboxName: '' };
  await driver.stopSandbox(ref, ctx);
  await driver.stopSandbox(ref, ctx);
  assert.equal(condition((await driver.getSandbox(ref, ctx)).sandbox, 'Suspended'), 'True');
  await driver.startSandbox(ref, ctx);
  await driver.startSandbox(ref, ctx);
  const started = (await driver.getSandbox(ref, ctx)).sandbox!;
  assert.equal(condition(started, 'Suspended'), 'False');
  assert.equal(condition(started, 'Ready'), 'True');
  const unknown = { sandboxId: 'nope', sandboxName: '' };
  assert.equal(await codeOf(driver.getSandbox(unknown, ctx)), ErrorCode.NotFound);
  assert.equal(await codeOf(driver.stopSandbox(unknown, ctx)), ErrorCode.NotFound);
  assert.equal(await codeOf(driver.startSandbox(unknown, ctx)), ErrorCode.NotFound);
});

void test('stop_reported_as = container_exited reports a stop as upstream drivers do: Ready=False ContainerExited, never Suspended', async () => {
  const driver = await FakeDriver.create({ script: parseFakeDriverScript({ stop_reported_as: 'container_exited' }) });
  await driver.createSandbox({ sandbox: sandbox('a') }, ctx);
  const ref = { sandboxId: 'a', sandboxName: '' };
  await driver.stopSandbox(ref, ctx);
  await driver.stopSandbox(ref, ctx);
  const stopped = (await driver.getSandbox(ref, ctx)).sandbox!;
  assert.notEqual(condition(stopped, 'Suspended'), 'True');
  assert.equal(stopped.status?.conditions.find((c) => c.type === 'Ready')?.reason, 'ContainerExited');
  await driver.startSandbox(ref, ctx);
  await driver.startSandbox(ref, ctx);
  const started = (await driver.getSandbox(ref, ctx)).sandbox!;
  assert.equal(condition(started, 'Ready'), 'True');
  assert.notEqual(condition(started, 'Suspended'), 'True');
  assert.throws(() => parseFakeDriverScript({ stop_reported_as: 'paused' }), /stop_reported_as/);
});

void test('create validates, refuses duplicates; delete answers whether it existed', async () => {
  const driver = await FakeDriver.create({ script: parseFakeDriverScript({}) });
  assert.equal(await codeOf(driver.createSandbox({ sandbox: sandbox('', 'x') }, ctx)), ErrorCode.InvalidArgument);
  assert.equal(await codeOf(driver.validateSandboxCreate({ sandbox: sandbox('a', 'Bad_Name') }, ctx)), ErrorCode.InvalidArgument);
  assert.equal(await codeOf(driver.createSandbox({ sandbox: undefined }, ctx)), ErrorCode.InvalidArgument);
  await driver.createSandbox({ sandbox: sandbox('a') }, ctx);
  assert.equal(await codeOf(driver.createSandbox({ sandbox: sandbox('a') }, ctx)), ErrorCode.AlreadyExists);
  const watch = collect(driver.watchSandboxes({}, ctx), 2);
  assert.deepEqual(await driver.deleteSandbox({ sandboxId: 'a', sandboxName: '' }, ctx), { deleted: true });
  assert.deepEqual(await driver.deleteSandbox({ sandboxId: 'a', sandboxName: '' }, ctx), { deleted: false });
  const [snapshot, deleted] = await watch;
  assert.equal(snapshot?.payload?.$case, 'sandbox');
  assert.deepEqual(deleted?.payload, { $case: 'deleted', deleted: { sandboxId: 'a' } });
  assert.deepEqual((await driver.listSandboxes({}, ctx)).sandboxes, []);
  await driver.ensureWorkspace({ workspace: 'w' }, ctx);
  await driver.ensureWorkspace({ workspace: 'w' }, ctx);
  await driver.deleteWorkspace({ workspace: 'w' }, ctx);
  await driver.close();
});

void test('scripted responses fail matching calls the given number of times, after their delay', async () => {
  const timers = new ManualTimers();
  const script = parseFakeDriverScript({
    responses: [
      { rpc: 'CreateSandbox', error: 'FAILED_PRECONDITION', message: 'no room', times: 1, match_name: 'x' },
      { rpc: 'ListSandboxes', delay_ms: 100 },
    ],
  });
  const driver = await FakeDriver.create({ script, timers });
  await assert.rejects(driver.createSandbox({ sandbox: sandbox('x1', 'x') }, ctx), {
    code: ErrorCode.FailedPrecondition,
    message: 'no room',
  });
  await driver.createSandbox({ sandbox: sandbox('x1', 'x') }, ctx);
  await driver.createSandbox({ sandbox: sandbox('y1', 'y') }, ctx);
  let isListed = false;
  const listing = driver.listSandboxes({}, ctx).then((response) => {
    isListed = true;
    return response;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(isListed, false, 'the delay holds the call');
  await timers.fireAll();
  assert.equal((await listing).sandboxes.length, 2);
});

void test('scripted watch events follow each matching create', async () => {
  const timers = new ManualTimers();
  const script = parseFakeDriverScript({
    watch_events: {
      crash: { kind: 'condition', match_name: 'crashy', delay_ms: 50, status: 'False', reason: 'ContainerExited' },
      note: { kind: 'platform_event', delay_ms: 10, type: 'Warning', reason: 'Pulled', message: 'image pulled' },
    },
  });
  const now = new Date('2030-01-02T03:04:05Z');
  const driver = await FakeDriver.create({ script, timers, now: () => now });
  await driver.createSandbox({ sandbox: sandbox('c', 'crashy') }, ctx);
  const events = collect(driver.watchSandboxes({}, ctx), 3);
  // Let the subscription open (and take its snapshot) before the timers publish.
  await new Promise((resolve) => setImmediate(resolve));
  await timers.fireAll();
  const [, first, second] = await events;
  const payloads = [first?.payload, second?.payload];
  const platform = payloads.find((p) => p?.$case === 'platformEvent');
  assert.ok(platform?.$case === 'platformEvent');
  assert.equal(platform.platformEvent.event?.reason, 'Pulled');
  assert.equal(platform.platformEvent.event?.timestampMs, now.getTime());
  const got = (await driver.getSandbox({ sandboxId: 'c', sandboxName: '' }, ctx)).sandbox!;
  assert.equal(got.status?.conditions.find((c) => c.type === 'Ready')?.reason, 'ContainerExited');
});

void test('listener requirements come from the script', async () => {
  const script = parseFakeDriverScript({
    listener_requirements: [{ reason: 'vm bridge', exact_bind_address: '10.0.2.2' }, { loopback_interface: true }],
  });
  const driver = await FakeDriver.create({ script });
  const { requirements } = await driver.getGatewayListenerRequirements({}, ctx);
  assert.deepEqual(requirements, [
    { reason: 'vm bridge', selector: { $case: 'exactBindAddress', exactBindAddress: '10.0.2.2' } },
    { reason: '', selector: { $case: 'loopbackInterface', loopbackInterface: {} } },
  ]);
});

void test('a state file keeps sandboxes across a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sg-fake-'));
  try {
    const stateFile = join(dir, 'state.json');
    const timers = new ManualTimers();
    const script = parseFakeDriverScript({ state_file: stateFile, ready_delay_ms: 1000 });
    const first = await FakeDriver.create({ script, timers });
    await first.createSandbox({ sandbox: sandbox('a') }, ctx);
    await first.createSandbox({ sandbox: sandbox('b') }, ctx);
    await first.stopSandbox({ sandboxId: 'b', sandboxName: '' }, ctx);
    await first.close();
    assert.ok(!(await readFile(stateFile, 'utf8')).includes('secret-token'));

    const restartTimers = new ManualTimers();
    const second = await FakeDriver.create({ script, timers: restartTimers });
    const listed = (await second.listSandboxes({}, ctx)).sandboxes;
    assert.deepEqual(listed.map((s) => s.id).sort(), ['a', 'b']);
    assert.equal(restartTimers.size, 1, 'the sandbox left Provisioning is scheduled Ready again; the stopped one is not');
    await restartTimers.fireAll();
    assert.equal(condition((await second.getSandbox({ sandboxId: 'a', sandboxName: '' }, ctx)).sandbox, 'Ready'), 'True');
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
