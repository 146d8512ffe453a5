import { setTimeout as sleep } from 'node:timers/promises';

import { connectDriver } from '../client/connect-driver.js';
import type { DriverCallOptions } from '../client/driver-channel.js';
import type { DriverClient } from '../client/driver-client.js';
import { deriveBackendPhase } from '../conditions/backend-phase.js';
import type { SandboxBackendPhase } from '../conditions/backend-phase.js';
import { ErrorCode, isShellgateError } from '../errors.js';
import type { DriverSandbox, GatewayListenerRequirement, GetCapabilitiesResponse } from '../gen/compute_driver.js';
import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import { applyWatchEvent } from './apply-watch-event.js';
import { buildTestSandbox } from './build-test-sandbox.js';
import type { TestSandboxInit } from './build-test-sandbox.js';
import { describeSandboxState } from './describe-sandbox-state.js';
import { reconcileListing } from './reconcile-listing.js';
import { SandboxMirror } from './sandbox-mirror.js';
import type { FakeGatewayPlatformEvent } from './sandbox-mirror.js';
import { waitForChange } from './wait-for-change.js';

export interface FakeGatewayOptions {
  /** The driver's Unix socket. */
  readonly socketPath: string;
  /** Pause between ListSandboxes sweeps, in ms. Default 1000 (the real gateway: 60 s). */
  readonly listIntervalMs?: number;
  /** Pause before re-opening a watch that ended or failed, in ms. Default 100 (upstream: 2 s). */
  readonly watchReconnectDelayMs?: number;
  /** How long `connect` keeps dialing, in ms. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Deadline of each RPC, in ms. Default 10000. */
  readonly callTimeoutMs?: number;
  /** Default `timeoutMs` of the wait helpers. Default 5000. */
  readonly waitTimeoutMs?: number;
  readonly logger?: Logger;
}

/** Counters a test can assert on; a fresh copy on every read. */
export interface FakeGatewayStats {
  /** Watch streams started, the first one included. */
  readonly watchStreamsOpened: number;
  /** Watch streams re-opened after one ended or failed. */
  readonly watchReconnects: number;
  readonly watchEventsSeen: number;
  /** The error that ended the last failed watch stream (a stream the driver ended cleanly leaves none). */
  readonly lastWatchError: unknown;
  readonly listSweeps: number;
  /** Sandboxes a sweep found that the watch had not delivered. */
  readonly addedByList: number;
  /** Sandboxes a sweep removed: missing from the list and confirmed NOT_FOUND by GetSandbox. */
  readonly prunedByList: number;
  readonly lastListError: unknown;
}

/** Matches a mirrored sandbox: a backend phase, or any predicate. */
export type SandboxMatch = SandboxBackendPhase | ((sandbox: DriverSandbox) => boolean);

type MutableStats = { -readonly [K in keyof FakeGatewayStats]: FakeGatewayStats[K] };
type ResolvedOptions = Required<Omit<FakeGatewayOptions, 'logger'>>;

const DEFAULT_LIST_INTERVAL_MS = 1_000;
const DEFAULT_WATCH_RECONNECT_DELAY_MS = 100;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_CALL_TIMEOUT_MS = 10_000;
const DEFAULT_WAIT_TIMEOUT_MS = 5_000;

/**
 * Drives a compute driver the way the Shellgate gateway does, so a driver can be tested
 * without one: GetCapabilities and GetGatewayListenerRequirements on connect, one
 * WatchSandboxes stream mirrored locally (re-opened after a delay whenever it ends or
 * fails, each new stream re-snapshotting), and a periodic ListSandboxes sweep that adds
 * what the watch missed and prunes what the driver no longer has (after GetSandbox answers
 * NOT_FOUND; the real gateway also waits a 300 s grace period). Close it, or `await using` it.
 */
export class FakeGateway implements AsyncDisposable {
  /** The raw client, for RPCs the helpers do not wrap (stop, start, delete, ...). */
  readonly driver: DriverClient;
  /** What GetCapabilities answered on connect. */
  readonly capabilities: GetCapabilitiesResponse;
  /** What GetGatewayListenerRequirements answered on connect; empty when UNIMPLEMENTED. */
  readonly listenerRequirements: readonly GatewayListenerRequirement[];
  readonly #mirror = new SandboxMirror();
  readonly #stats: MutableStats = {
    watchStreamsOpened: 0,
    watchReconnects: 0,
    watchEventsSeen: 0,
    lastWatchError: undefined,
    listSweeps: 0,
    addedByList: 0,
    prunedByList: 0,
    lastListError: undefined,
  };
  readonly #problems: string[] = [];
  readonly #closing = new AbortController();
  readonly #options: ResolvedOptions;
  readonly #logger: Logger;
  #watchLoop: Promise<void> = Promise.resolve();
  #sweeping: Promise<void> = Promise.resolve();
  #sweepTimer: NodeJS.Timeout | undefined;
  #closed: Promise<void> | undefined;

  private constructor(
    driver: DriverClient,
    listenerRequirements: readonly GatewayListenerRequirement[],
    options: ResolvedOptions,
    logger: Logger,
  ) {
    this.driver = driver;
    this.capabilities = driver.capabilities;
    this.listenerRequirements = listenerRequirements;
    this.#options = options;
    this.#logger = logger;
  }

  /** Dials the driver, records its capabilities and listener requirements, and starts watching and sweeping. */
  static async connect(options: FakeGatewayOptions): Promise<FakeGateway> {
    const logger = (options.logger ?? silentLogger).child({ component: 'fake-gateway' });
    const resolved: ResolvedOptions = {
      socketPath: options.socketPath,
      listIntervalMs: options.listIntervalMs ?? DEFAULT_LIST_INTERVAL_MS,
      watchReconnectDelayMs: options.watchReconnectDelayMs ?? DEFAULT_WATCH_RECONNECT_DELAY_MS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      callTimeoutMs: options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      waitTimeoutMs: options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
    };
    const driver = await connectDriver(options.socketPath, {
      connectTimeoutMs: resolved.connectTimeoutMs,
      callTimeoutMs: resolved.callTimeoutMs,
      logger,
    });
    let requirements: readonly GatewayListenerRequirement[];
    try {
      requirements = (await driver.getGatewayListenerRequirements()).requirements;
    } catch (error) {
      // Optional RPC: upstream drivers without callback listeners leave it unimplemented.
      if (!isShellgateError(error) || error.code !== ErrorCode.Unimplemented) {
        await driver.close();
        throw error;
      }
      requirements = [];
    }
    const gateway = new FakeGateway(driver, requirements, resolved, logger);
    gateway.#start();
    return gateway;
  }

  /** The mirror: every sandbox the watch (or a sweep) reported and no delete removed, by id. */
  get sandboxes(): ReadonlyMap<string, DriverSandbox> {
    return this.#mirror.sandboxes;
  }

  /** Platform events seen on the watch stream, oldest first. */
  get events(): readonly FakeGatewayPlatformEvent[] {
    return this.#mirror.platformEvents;
  }

  get stats(): FakeGatewayStats {
    return { ...this.#stats };
  }

  /** Contract breaches seen so far (an event without payload, a sandbox without id, ...). */
  get problems(): readonly string[] {
    return this.#problems;
  }

  /**
   * Builds a valid sandbox from `init` (see `buildTestSandbox`, with the driver's default
   * image), then calls ValidateSandboxCreate and CreateSandbox like the gateway. Returns what was sent.
   */
  async createSandbox(init: TestSandboxInit = {}, options?: DriverCallOptions): Promise<DriverSandbox> {
    const sandbox = buildTestSandbox(init, { defaultImage: this.capabilities.defaultImage });
    await this.driver.validateSandboxCreate(sandbox, options);
    await this.driver.createSandbox(sandbox, options);
    return sandbox;
  }

  /**
   * Resolves with the mirrored sandbox once it matches: a phase as derived by
   * `deriveBackendPhase` (e.g. `'Ready'`), a predicate, or (by default) mere presence.
   */
  waitForSandbox(sandboxId: string, match?: SandboxMatch, timeoutMs?: number): Promise<DriverSandbox> {
    const isMatch = toMatcher(match);
    return this.#wait(
      () => {
        const sandbox = this.#mirror.sandboxes.get(sandboxId);
        return sandbox !== undefined && isMatch(sandbox) ? sandbox : undefined;
      },
      `sandbox ${JSON.stringify(sandboxId)} ${describeMatch(match)}`,
      () => this.#describeLastSeen(sandboxId),
      timeoutMs,
    );
  }

  /** Resolves once the mirror has no sandbox with this id (a Deleted event, or a sweep prune). */
  async waitForDeleted(sandboxId: string, timeoutMs?: number): Promise<void> {
    await this.#wait(
      () => (this.#mirror.sandboxes.has(sandboxId) ? undefined : true),
      `sandbox ${JSON.stringify(sandboxId)} to be deleted`,
      () => this.#describeLastSeen(sandboxId),
      timeoutMs,
    );
  }

  /** Resolves with the first platform event about the sandbox that matches. */
  waitForPlatformEvent(
    sandboxId: string,
    predicate: (record: FakeGatewayPlatformEvent) => boolean = () => true,
    timeoutMs?: number,
  ): Promise<FakeGatewayPlatformEvent> {
    return this.#wait(
      () => this.#mirror.platformEvents.find((record) => record.sandboxId === sandboxId && predicate(record)),
      `a platform event about sandbox ${JSON.stringify(sandboxId)}`,
      () => `${this.#mirror.platformEvents.filter((record) => record.sandboxId === sandboxId).length} events about it`,
      timeoutMs,
    );
  }

  /** Resolves once `condition` holds, re-checked after every mirror change; for anything else (e.g. stats). */
  async waitUntil(awaited: string, condition: () => boolean, timeoutMs?: number): Promise<void> {
    await this.#wait(() => (condition() ? true : undefined), awaited, () => JSON.stringify(this.stats), timeoutMs);
  }

  /** Runs one ListSandboxes sweep now (sweeps never overlap); rejects if the listing fails. */
  reconcile(): Promise<void> {
    const run = this.#sweeping.catch(() => undefined).then(() => this.#sweep());
    this.#sweeping = run;
    return run;
  }

  /** Stops watching and sweeping, rejects pending waits and closes the client. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #start(): void {
    this.#watchLoop = this.#runWatchLoop();
    this.#scheduleSweep();
  }

  async #shutdown(): Promise<void> {
    this.#closing.abort();
    clearTimeout(this.#sweepTimer);
    await this.#watchLoop;
    await this.#sweeping.catch(() => undefined);
    await this.driver.close();
  }

  async #runWatchLoop(): Promise<void> {
    const { signal } = this.#closing;
    while (!signal.aborted) {
      this.#stats.watchStreamsOpened += 1;
      this.#mirror.notify();
      try {
        for await (const event of this.driver.watchSandboxes(signal)) {
          this.#stats.watchEventsSeen += 1;
          applyWatchEvent(event, this.#mirror, (problem) => this.#problem(problem));
        }
        if (signal.aborted) return;
        this.#logger.warn('watch stream ended by the driver; reconnecting', { delayMs: this.#options.watchReconnectDelayMs });
      } catch (error) {
        if (signal.aborted) return;
        this.#stats.lastWatchError = error;
        this.#logger.warn('watch stream failed; reconnecting', {
          delayMs: this.#options.watchReconnectDelayMs,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      this.#mirror.notify();
      await sleep(this.#options.watchReconnectDelayMs, undefined, { signal }).catch(() => undefined);
      if (!signal.aborted) this.#stats.watchReconnects += 1;
    }
  }

  async #sweep(): Promise<void> {
    await reconcileListing(this.driver, this.#mirror, {
      onAdded: () => (this.#stats.addedByList += 1),
      onPruned: () => (this.#stats.prunedByList += 1),
      reportProblem: (problem) => this.#problem(problem),
    });
    this.#stats.listSweeps += 1;
    this.#mirror.notify();
  }

  #scheduleSweep(): void {
    if (this.#closing.signal.aborted) return;
    this.#sweepTimer = setTimeout(() => {
      this.reconcile().then(
        () => this.#scheduleSweep(),
        (error: unknown) => {
          this.#stats.lastListError = error;
          this.#mirror.notify();
          this.#logger.warn('ListSandboxes sweep failed', { error: error instanceof Error ? error.message : String(error) });
          this.#scheduleSweep();
        },
      );
    }, this.#options.listIntervalMs);
    // A forgotten gateway must not keep a test process alive on its own.
    this.#sweepTimer.unref();
  }

  #problem(problem: string): void {
    this.#logger.warn('driver broke the compute contract', { problem });
    this.#problems.push(problem);
  }

  #describeLastSeen(sandboxId: string): string {
    const current = this.#mirror.sandboxes.get(sandboxId);
    if (current !== undefined) return describeSandboxState(current);
    const last = this.#mirror.lastSeen(sandboxId);
    return last === undefined ? 'never seen on the watch or in a listing' : `deleted; before that ${describeSandboxState(last)}`;
  }

  #wait<T>(check: () => T | undefined, awaited: string, describeLastSeen: () => string, timeoutMs?: number): Promise<T> {
    return waitForChange(check, {
      awaited,
      describeLastSeen,
      timeoutMs: timeoutMs ?? this.#options.waitTimeoutMs,
      subscribe: (listener) => this.#mirror.subscribe(listener),
      signal: this.#closing.signal,
    });
  }
}

function toMatcher(match: SandboxMatch | undefined): (sandbox: DriverSandbox) => boolean {
  if (match === undefined) return () => true;
  if (typeof match === 'function') return match;
  return (sandbox) => deriveBackendPhase(sandbox.status) === match;
}

function describeMatch(match: SandboxMatch | undefined): string {
  if (match === undefined) return 'to appear';
  if (typeof match === 'function') return `to match ${match.name === '' ? 'the predicate' : match.name}`;
  return `to reach phase ${match}`;
}
