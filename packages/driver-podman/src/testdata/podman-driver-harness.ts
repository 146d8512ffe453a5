import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SANDBOX_LABEL_KEYS, SandboxFileStore, deriveBackendPhase, findCondition, isShellgateError, silentLogger } from '@shellgate/driver-sdk';
import type { CallContext, DriverSandbox, WatchSandboxesEvent } from '@shellgate/driver-sdk';
import { buildTestSandbox } from '@shellgate/driver-sdk/testing';
import type { TestSandboxInit } from '@shellgate/driver-sdk/testing';

import { PodmanDriver } from '../podman-driver.js';
import type { PodmanDriverDeps } from '../podman-driver.js';
import type { PodmanDriverSettings } from '../settings.js';
import { FakePodmanEngine } from './fake-podman-engine.js';

export const TEST_SETTINGS: PodmanDriverSettings = {
  defaultImage: 'busybox:latest',
  imagePullPolicy: 'IfNotPresent',
  networkMode: 'bridge',
  networkName: 'shellgate',
  hostGatewayIp: undefined,
  allowSandboxToSandbox: false,
  pidsLimit: 1024,
  stopTimeoutSeconds: 45,
  allowBindMounts: false,
  bindMounts: { protectedHostPaths: [], isEngineLocal: true, engineName: 'Podman' },
  gatewayPort: 17670,
  gatewayScheme: 'http',
  gatewayId: 'gw-1',
  supervisorRuntime: undefined,
  isTokenExposedToAgent: false,
  supervisorTls: undefined,
  isRootless: false,
  canEnforceLimits: true,
};

/** Bridge isolation as the driver asks for it: the bridges, in order. */
export class RecordingIsolation {
  readonly bridges: string[] = [];
  failure: Error | undefined;
  async isolatePorts(bridge: string): Promise<number> {
    if (this.failure !== undefined) throw this.failure;
    this.bridges.push(bridge);
    return 1;
  }
}

export interface PodmanHarness extends AsyncDisposable {
  readonly engine: FakePodmanEngine;
  readonly driver: PodmanDriver;
  readonly store: SandboxFileStore;
  readonly stateDir: string;
  readonly isolation: RecordingIsolation;
  readonly ctx: CallContext;
  /** Latest state per sandbox id from one watch opened at start; undefined after Deleted. */
  readonly mirror: Map<string, DriverSandbox | undefined>;
  readonly events: WatchSandboxesEvent[];
  create(init?: TestSandboxInit): Promise<DriverSandbox>;
  waitFor(description: string, condition: () => boolean): Promise<void>;
  phaseOf(id: string): string;
  /** A second driver on the same engine and state, as after a restart; closed with the harness. */
  restart(): Promise<PodmanDriver>;
  /** The container of a sandbox in the fake engine. */
  containerIdOf(sandboxId: string): string;
}

/** A started driver on a fake engine and a temp state dir, with a watch mirror. */
export async function startPodmanHarness(
  settings: Partial<PodmanDriverSettings> = {},
  engine = new FakePodmanEngine(),
  deps: Partial<Pick<PodmanDriverDeps, 'host'>> = {},
): Promise<PodmanHarness> {
  const root = await mkdtemp(join(tmpdir(), 'sg-podman-driver-'));
  const stateDir = join(root, 'state');
  const store = new SandboxFileStore(stateDir);
  const isolation = new RecordingIsolation();
  const makeDriver = (): PodmanDriver =>
    new PodmanDriver({
      engine,
      store,
      settings: { ...TEST_SETTINGS, bindMounts: { ...TEST_SETTINGS.bindMounts, protectedHostPaths: [{ path: stateDir, role: "the driver's state directory" }] }, ...settings },
      logger: silentLogger,
      sleep: async () => {},
      isolation,
      host: { hasCdiSpecs: async () => false, ...deps.host },
    });
  const driver = makeDriver();
  await driver.start();
  const others: PodmanDriver[] = [];
  const abort = new AbortController();
  const ctx: CallContext = { signal: abort.signal, logger: silentLogger, deadline: undefined };
  const mirror = new Map<string, DriverSandbox | undefined>();
  const events: WatchSandboxesEvent[] = [];
  const pump = (async () => {
    for await (const event of driver.watchSandboxes({}, ctx)) {
      events.push(event);
      if (event.payload?.$case === 'sandbox' && event.payload.sandbox.sandbox !== undefined) mirror.set(event.payload.sandbox.sandbox.id, event.payload.sandbox.sandbox);
      if (event.payload?.$case === 'deleted') mirror.set(event.payload.deleted.sandboxId, undefined);
    }
  })();
  // Bounded by wall time: the state store does real file I/O, which a loaded machine delays.
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
    stateDir,
    isolation,
    ctx,
    mirror,
    events,
    waitFor,
    phaseOf: (id) => deriveBackendPhase(mirror.get(id)?.status),
    create: async (init = {}) => {
      const sandbox = buildTestSandbox(init, { defaultImage: 'busybox:latest' });
      await driver.validateSandboxCreate({ sandbox });
      await driver.createSandbox({ sandbox }, ctx);
      return sandbox;
    },
    restart: async () => {
      const other = makeDriver();
      others.push(other);
      await other.start();
      return other;
    },
    containerIdOf: (sandboxId) => {
      const container = [...engine.containers.values()].find((c) => c.info.labels[SANDBOX_LABEL_KEYS.sandboxId] === sandboxId);
      assert.ok(container !== undefined, `a container for ${sandboxId}`);
      return container.info.id;
    },
    [Symbol.asyncDispose]: async () => {
      abort.abort();
      for (const other of others) await other.close();
      await driver.close();
      await pump.catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The gRPC-style code a call ends with; OK when it succeeds. */
export async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    assert.ok(isShellgateError(error), String(error));
    return error.code;
  }
  return 'OK';
}

/** `Status Reason: message` of a sandbox's Ready condition. */
export function readyReason(sandbox: DriverSandbox | undefined): string {
  const ready = findCondition(sandbox?.status?.conditions ?? [], 'Ready');
  return `${ready?.status} ${ready?.reason}: ${ready?.message}`;
}
