import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { backendNotReady, backendReady } from '../conditions/conditions.js';
import { ErrorCode, SandboxNotFoundError, WatchSubscriberLaggedError, isShellgateError } from '../errors.js';
import type { DriverCondition, DriverSandbox } from '../gen/compute_driver.js';
import { silentLogger } from '../logging/logger.js';
import type { ComputeDriverImpl } from '../server/driver-impl.js';
import { WatchHub } from '../watch/watch-hub.js';
import { buildTestSandbox } from './build-test-sandbox.js';
import { createMemoryDriver } from './example/memory-driver.js';
import { FakeGateway } from './fake-gateway.js';
import { startTestDriver } from './start-test-driver.js';

/** A fresh state dir for the example driver's token files. */
function exampleStateDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sg-memory-driver-'));
}

const CAPABILITIES = { driverName: 'scripted', driverVersion: '0.0.1', defaultImage: 'busybox', gatewayManagesLifecycle: false };

function withConditions(sandbox: DriverSandbox, ...conditions: DriverCondition[]): DriverSandbox {
  const status = { sandboxName: sandbox.name, instanceId: 'i', agentFd: '', sandboxFd: '', conditions, deleting: false };
  return { ...sandbox, status };
}

/**
 * A driver whose state the test edits directly: `put`/`remove` change it *silently* (no
 * watch event), `publish` announces a sandbox, and `endStreams` ends every open watch
 * stream server-side, cleanly or with ABORTED as a lagging hub would.
 */
function createScriptedDriver(): {
  impl: ComputeDriverImpl;
  put: (sandbox: DriverSandbox) => void;
  publish: (sandbox: DriverSandbox) => void;
  remove: (sandboxId: string) => void;
  endStreams: (how: 'end' | 'abort') => void;
  breakGetSandbox: (isBroken: boolean) => void;
} {
  const store = new Map<string, DriverSandbox>();
  const hub = new WatchHub({ snapshot: () => [...store.values()] });
  let kick = new AbortController();
  let shouldAbort = false;
  let isGetSandboxBroken = false;
  const impl: ComputeDriverImpl = {
    getCapabilities: () => CAPABILITIES,
    listSandboxes: () => ({ sandboxes: [...store.values()] }),
    getSandbox: ({ sandboxId }) => {
      if (isGetSandboxBroken) throw new Error('engine exploded');
      const sandbox = store.get(sandboxId);
      if (sandbox === undefined) throw new SandboxNotFoundError(sandboxId);
      return { sandbox };
    },
    watchSandboxes: (_request, ctx) => {
      const streamKick = kick.signal;
      const events = hub.subscribe(AbortSignal.any([ctx.signal, streamKick]));
      return (async function* () {
        yield* events;
        if (shouldAbort && streamKick.aborted) throw new WatchSubscriberLaggedError(1);
      })();
    },
  };
  return {
    impl,
    put: (sandbox) => store.set(sandbox.id, sandbox),
    publish: (sandbox) => {
      store.set(sandbox.id, sandbox);
      hub.publishSandbox(sandbox);
    },
    remove: (sandboxId) => store.delete(sandboxId),
    endStreams: (how) => {
      shouldAbort = how === 'abort';
      kick.abort();
      kick = new AbortController();
    },
    breakGetSandbox: (isBroken) => {
      isGetSandboxBroken = isBroken;
    },
  };
}

void describe('FakeGateway', () => {
  void it('connects like the gateway: capabilities, listener requirements, then a watch', async () => {
    const requirement = { reason: 'sandboxes call back on loopback', selector: { $case: 'loopbackInterface' as const, loopbackInterface: {} } };
    const impl = { ...createMemoryDriver({ startDelayMs: 0, stateDir: exampleStateDir(), logger: silentLogger }), getGatewayListenerRequirements: () => ({ requirements: [requirement] }) };
    await using driver = await startTestDriver(impl);
    await using gateway = await FakeGateway.connect({ socketPath: driver.socketPath });
    assert.equal(gateway.capabilities.driverName, 'memory');
    assert.deepEqual(gateway.listenerRequirements, [requirement]);
    await gateway.waitUntil('the first watch stream', () => gateway.stats.watchStreamsOpened === 1);
  });

  void it('treats an unimplemented GetGatewayListenerRequirements as no requirements', async () => {
    await using driver = await startTestDriver({ getCapabilities: () => CAPABILITIES });
    await using gateway = await FakeGateway.connect({ socketPath: driver.socketPath, watchReconnectDelayMs: 50 });
    assert.deepEqual(gateway.listenerRequirements, []);
    // WatchSandboxes is unimplemented too: the gateway keeps retrying it, as the real one does.
    await gateway.waitUntil('a watch retry', () => gateway.stats.watchReconnects >= 1);
    assert.ok(isShellgateError(gateway.stats.lastWatchError));
    assert.equal(gateway.stats.lastWatchError.code, ErrorCode.Unimplemented);
  });

  void it('follows a sandbox through create, Ready, stop, start and delete on the watch', async () => {
    await using driver = await startTestDriver(createMemoryDriver({ startDelayMs: 20, stateDir: exampleStateDir(), logger: silentLogger }));
    await using gateway = await FakeGateway.connect({ socketPath: driver.socketPath });
    const sandbox = await gateway.createSandbox({ spec: { environment: { GREETING: 'hi' } } });
    assert.equal(sandbox.spec?.template?.image, 'scratch', "the driver's default image");
    assert.match(sandbox.spec?.sandboxToken ?? '', /^fake-token-/);
    await gateway.waitForSandbox(sandbox.id, 'Provisioning');
    const ready = await gateway.waitForSandbox(sandbox.id, 'Ready');
    assert.equal(ready.spec?.environment.GREETING, 'hi');
    await gateway.driver.stopSandbox(sandbox.id);
    await gateway.waitForSandbox(sandbox.id, 'Stopped');
    await gateway.driver.startSandbox(sandbox.id);
    await gateway.waitForSandbox(sandbox.id, (candidate) => candidate.status?.conditions.length === 2);
    assert.equal(await gateway.driver.deleteSandbox(sandbox.id), true);
    await gateway.waitForDeleted(sandbox.id);
    assert.equal(gateway.sandboxes.size, 0);
    assert.deepEqual(gateway.problems, []);
  });

  void it('times out naming what it awaited, for how long, and the last state seen', async () => {
    await using driver = await startTestDriver(createMemoryDriver({ startDelayMs: 0, stateDir: exampleStateDir(), logger: silentLogger }));
    await using gateway = await FakeGateway.connect({ socketPath: driver.socketPath });
    const sandbox = await gateway.createSandbox();
    await gateway.waitForSandbox(sandbox.id, 'Ready');
    await assert.rejects(gateway.waitForSandbox(sandbox.id, 'Stopped', 100), (error: unknown) => {
      assert.ok(isShellgateError(error));
      assert.equal(error.name, 'FakeGatewayTimeoutError');
      assert.equal(error.code, ErrorCode.DeadlineExceeded);
      assert.match(error.message, new RegExp(`waited 100 ms for sandbox "${sandbox.id}" to reach phase Stopped`));
      assert.match(error.message, /last seen: phase Ready \(Ready=True Running, Suspended=False NotSuspended\)/);
      return true;
    });
    await assert.rejects(gateway.waitForDeleted('sbx-unknown', 50).then(() => gateway.waitForSandbox('sbx-unknown', undefined, 50)), /never seen/);
  });

  void it('reconnects a watch the driver ended and re-snapshots the mirror', async () => {
    const driver = createScriptedDriver();
    const a = buildTestSandbox({ id: 'a' });
    driver.publish(withConditions(a, backendNotReady('Starting', 'starting')));
    await using server = await startTestDriver(driver.impl);
    await using gateway = await FakeGateway.connect({ socketPath: server.socketPath, listIntervalMs: 60_000, watchReconnectDelayMs: 100 });
    await gateway.waitForSandbox('a', 'Provisioning');
    driver.endStreams('end');
    // Changed while no stream is open: only a fresh snapshot can bring these to the mirror.
    driver.put(withConditions(a, backendReady()));
    driver.put(buildTestSandbox({ id: 'b' }));
    await gateway.waitForSandbox('a', 'Ready');
    await gateway.waitForSandbox('b');
    assert.equal(gateway.stats.watchReconnects, 1);
    assert.equal(gateway.stats.watchStreamsOpened, 2);
    assert.equal(gateway.stats.lastWatchError, undefined, 'a clean end is not an error');
    assert.equal(gateway.stats.listSweeps, 0, 'the snapshot did it, not a list sweep');
  });

  void it('reconnects after ABORTED, as when the hub ends a lagging subscriber', async () => {
    const driver = createScriptedDriver();
    await using server = await startTestDriver(driver.impl);
    await using gateway = await FakeGateway.connect({ socketPath: server.socketPath, listIntervalMs: 60_000, watchReconnectDelayMs: 20 });
    // Seeing a published sandbox proves the stream is open on the driver's side.
    driver.publish(buildTestSandbox({ id: 'first' }));
    await gateway.waitForSandbox('first');
    driver.endStreams('abort');
    driver.put(buildTestSandbox({ id: 'c' }));
    await gateway.waitForSandbox('c');
    assert.ok(isShellgateError(gateway.stats.lastWatchError));
    assert.equal(gateway.stats.lastWatchError.code, ErrorCode.Aborted);
    assert.equal(gateway.stats.watchReconnects, 1);
  });

  void it('sweeps ListSandboxes: adds what the watch missed, prunes what GetSandbox confirms gone', async () => {
    const driver = createScriptedDriver();
    driver.breakGetSandbox(true);
    await using server = await startTestDriver(driver.impl);
    await using gateway = await FakeGateway.connect({ socketPath: server.socketPath, listIntervalMs: 60_000 });
    driver.publish(buildTestSandbox({ id: 'kept' }));
    driver.publish(buildTestSandbox({ id: 'vanishing' }));
    await gateway.waitForSandbox('vanishing');
    driver.remove('vanishing');
    driver.put(buildTestSandbox({ id: 'silent' }));
    // GetSandbox fails with INTERNAL: the sweep must not prune on that.
    await assert.rejects(gateway.reconcile(), { code: ErrorCode.Internal });
    assert.ok(gateway.sandboxes.has('vanishing'));
    assert.ok(gateway.sandboxes.has('silent'), 'added before the failing re-check');
    driver.breakGetSandbox(false);
    await gateway.reconcile();
    assert.deepEqual([...gateway.sandboxes.keys()].sort(), ['kept', 'silent']);
    assert.equal(gateway.stats.addedByList, 1);
    assert.equal(gateway.stats.prunedByList, 1);
  });

  void it('runs the sweep on its own every listIntervalMs', async () => {
    const driver = createScriptedDriver();
    await using server = await startTestDriver(driver.impl);
    await using gateway = await FakeGateway.connect({ socketPath: server.socketPath, listIntervalMs: 30 });
    driver.put(buildTestSandbox({ id: 'found-by-list' }));
    await gateway.waitForSandbox('found-by-list');
    await gateway.waitUntil('two sweeps', () => gateway.stats.listSweeps >= 2);
  });

  void it('close rejects pending waits, is idempotent, and leaves the driver serving', async () => {
    await using driver = await startTestDriver(createMemoryDriver({ startDelayMs: 0, stateDir: exampleStateDir(), logger: silentLogger }));
    const gateway = await FakeGateway.connect({ socketPath: driver.socketPath });
    const pending = gateway.waitForSandbox('never', undefined, 10_000);
    await gateway.close();
    await gateway.close();
    await assert.rejects(pending, { name: 'FakeGatewayClosedError', code: ErrorCode.Cancelled });
    await using again = await FakeGateway.connect({ socketPath: driver.socketPath });
    assert.equal(again.capabilities.driverName, 'memory');
  });
});

void describe('startTestDriver', () => {
  void it('serves on a 0600 socket in a private 0700 temp directory and removes it on close', async () => {
    const driver = await startTestDriver({ getCapabilities: () => CAPABILITIES });
    const dir = path.dirname(driver.socketPath);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(driver.socketPath)).mode & 0o777, 0o600);
    await driver.close();
    await driver.close();
    await assert.rejects(stat(dir), { code: 'ENOENT' });
  });
});
