import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, ShellgateError, backoffDelayMs, connectDriver } from '@shellgate/driver-sdk';
import type { BackoffPolicy, DriverCallObserver, DriverClient, LogLevel, Logger } from '@shellgate/driver-sdk';
import { checkCapabilities } from './check-capabilities.js';
import { DriverProcess, describeExit } from './driver-process.js';
import type { ConnectDriverFn, DriverExit, DriverProcessOptions } from './driver-process.js';
import type { DriverSpec } from './driver-selection.js';

/** What the supervisor needs of a spawned process; {@link DriverProcess} in production. */
export interface SupervisedProcess {
  readonly pid: number | undefined;
  readonly exited: Promise<DriverExit>;
  start(): Promise<void>;
  waitReady(signal?: AbortSignal): Promise<DriverClient>;
  stop(): Promise<DriverExit | undefined>;
  kill(): Promise<DriverExit | undefined>;
}

export type SleepFn = (ms: number, signal: AbortSignal) => Promise<void>;

/** Timing and seams shared by every supervisor of a manager. */
export interface SupervisorSettings {
  readonly logger: Logger;
  readonly logLevel: LogLevel;
  readonly readyTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly shutdownGraceMs: number;
  readonly callTimeoutMs: number | undefined;
  readonly healthIntervalMs: number;
  readonly healthTimeoutMs: number;
  readonly healthMisses: number;
  readonly backoff: BackoffPolicy;
  /** A driver up this long before it is lost restarts from the first backoff step. */
  readonly stableAfterMs: number;
  readonly connect: ConnectDriverFn | undefined;
  /** The call observer of one driver's clients (optional telemetry), by driver name. */
  readonly observeCalls: ((driver: string) => DriverCallObserver) | undefined;
  /** Extra env for every spawned driver (e.g. the gateway's API port). */
  readonly env: Readonly<Record<string, string>>;
  /** Parent of every spawned driver's run dir. */
  readonly runRoot: string;
  readonly createProcess: (options: DriverProcessOptions) => SupervisedProcess;
  readonly random: () => number;
  readonly sleep: SleepFn;
  readonly now: () => number;
}

export interface SupervisorEvents {
  restarted(client: DriverClient): void;
  unavailable(reason: string): void;
}

const SOCKET_RETRY_INTERVAL_MS = 250; // upstream: dial every 250 ms

export const defaultSleep: SleepFn = (ms, signal) => delay(ms, undefined, { signal });

export const createDriverProcess = (options: DriverProcessOptions): SupervisedProcess => new DriverProcess(options);

/**
 * Keeps one driver available: starts (or dials) it, probes it, and after a crash or
 * a run of missed probes restarts (or re-dials) it with capped, jittered backoff.
 */
export class DriverSupervisor {
  readonly spec: DriverSpec;
  readonly #settings: SupervisorSettings;
  readonly #events: SupervisorEvents;
  readonly #logger: Logger;
  readonly #closing = new AbortController();
  #client: DriverClient | undefined;
  #process: SupervisedProcess | undefined;
  #capabilities: DriverClient['capabilities'] | undefined;
  #readySince = 0;
  #consecutiveLosses = 0;
  #loop: Promise<void> = Promise.resolve();
  #closed: Promise<void> | undefined;

  constructor(spec: DriverSpec, settings: SupervisorSettings, events: SupervisorEvents) {
    this.spec = spec;
    this.#settings = settings;
    this.#events = events;
    this.#logger = settings.logger.child({ component: 'driver-supervisor', driver: spec.name });
  }

  get client(): DriverClient | undefined {
    return this.#client;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** What GetCapabilities answered at the last (re)connect; kept while the driver is down. */
  get capabilities(): DriverClient['capabilities'] | undefined {
    return this.#capabilities;
  }

  /** First start; throws (after cleaning up) when the driver cannot become ready. */
  async start(): Promise<void> {
    await this.#startOnce(this.spec.kind === 'socket' ? this.#settings.connectTimeoutMs : undefined);
    this.#loop = this.#superviseFrom(this.#client, this.#process);
  }

  /** Stops probing and restarting, closes the client, stops a spawned process. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing.abort();
      await this.#loop;
      await this.#client?.close();
      this.#client = undefined;
      await this.#process?.stop();
    })();
    return this.#closed;
  }

  async #startOnce(connectTimeoutMs: number | undefined): Promise<void> {
    const { spec } = this;
    const signal = this.#closing.signal;
    let client: DriverClient;
    let process: SupervisedProcess | undefined;
    if (spec.kind === 'socket') {
      client = await (this.#settings.connect ?? connectDriver)(spec.socketPath ?? '', {
        connectTimeoutMs: connectTimeoutMs ?? Number.MAX_SAFE_INTEGER,
        retryIntervalMs: SOCKET_RETRY_INTERVAL_MS,
        logger: this.#logger,
        signal,
        callObserver: this.#settings.observeCalls?.(spec.name),
        ...(this.#settings.callTimeoutMs === undefined ? {} : { callTimeoutMs: this.#settings.callTimeoutMs }),
      });
    } else {
      process = this.#settings.createProcess(this.#processOptions());
      this.#process = process;
      await process.start();
      client = await process.waitReady(signal);
    }
    try {
      checkCapabilities(spec, client.capabilities);
    } catch (error) {
      await client.close();
      await process?.stop();
      throw error;
    }
    this.#client = client;
    this.#capabilities = client.capabilities;
    this.#readySince = this.#settings.now();
    const { driverName, driverVersion } = client.capabilities;
    this.#logger.info('driver ready', { kind: spec.kind, driverName, driverVersion, pid: process?.pid });
  }

  #processOptions(): DriverProcessOptions {
    const { spec } = this;
    const settings = this.#settings;
    return {
      name: spec.name,
      command: spec.command ?? [],
      driverConfig: spec.driverConfig,
      logLevel: settings.logLevel,
      logger: settings.logger,
      readyTimeoutMs: settings.readyTimeoutMs,
      shutdownGraceMs: settings.shutdownGraceMs,
      env: settings.env,
      runRoot: settings.runRoot,
      callObserver: settings.observeCalls?.(spec.name),
      ...(settings.callTimeoutMs === undefined ? {} : { callTimeoutMs: settings.callTimeoutMs }),
      ...(settings.connect === undefined ? {} : { connect: settings.connect }),
    };
  }

  /** Watches the current incarnation until it is lost, then recovers; repeats until close. */
  async #superviseFrom(client: DriverClient | undefined, process: SupervisedProcess | undefined): Promise<void> {
    while (client !== undefined && !this.#closing.signal.aborted) {
      const reason = await this.#monitor(client, process);
      if (reason === undefined) return;
      this.#logger.warn('driver lost', { reason, pid: process?.pid });
      this.#client = undefined;
      this.#emit(() => this.#events.unavailable(reason));
      await client.close();
      // A hung driver is killed; one that exited is reaped and its run dir removed.
      await process?.kill();
      if (this.#settings.now() - this.#readySince >= this.#settings.stableAfterMs) this.#consecutiveLosses = 0;
      const recovered = await this.#recover();
      if (!recovered) return;
      client = this.#client;
      process = this.#process;
      if (client !== undefined) this.#emit(() => this.#events.restarted(client as DriverClient));
    }
  }

  /** Resolves with why the driver was lost, or undefined once closing. */
  async #monitor(client: DriverClient, process: SupervisedProcess | undefined): Promise<string | undefined> {
    const { signal } = this.#closing;
    const settings = this.#settings;
    const exited = process?.exited.then((exit) => `driver process exited unexpectedly (${describeExit(exit)})`);
    let misses = 0;
    for (;;) {
      const tick = settings.sleep(settings.healthIntervalMs, signal).then(
        () => undefined,
        () => undefined,
      );
      const outcome = await (exited === undefined ? tick : Promise.race([exited, tick]));
      if (signal.aborted) return undefined;
      if (outcome !== undefined) return outcome;
      try {
        await client.getCapabilities({ timeoutMs: settings.healthTimeoutMs, signal });
        misses = 0;
      } catch (error) {
        if (signal.aborted) return undefined;
        misses += 1;
        const last = error instanceof Error ? error.message : String(error);
        this.#logger.warn('driver health probe failed', { misses, of: settings.healthMisses, error: last });
        if (misses >= settings.healthMisses) return `driver stopped answering GetCapabilities (${misses} probes failed; last: ${last})`;
      }
    }
  }

  /** Restarts or re-dials with backoff until it works (true) or the manager closes (false). */
  async #recover(): Promise<boolean> {
    const { signal } = this.#closing;
    while (!signal.aborted) {
      const waitMs = backoffDelayMs(this.#consecutiveLosses, this.#settings.backoff, this.#settings.random);
      this.#consecutiveLosses += 1;
      this.#logger.info('restarting driver after backoff', { waitMs, attempt: this.#consecutiveLosses, kind: this.spec.kind });
      try {
        await this.#settings.sleep(waitMs, signal);
        await this.#startOnce(this.spec.kind === 'socket' ? this.#settings.connectTimeoutMs : undefined);
        if (signal.aborted) return false;
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        this.#logger.warn('driver restart failed', { attempt: this.#consecutiveLosses, error: describeError(error) });
      }
    }
    return false;
  }

  #emit(deliver: () => void): void {
    try {
      deliver();
    } catch (error) {
      this.#logger.error('driver event listener threw', { error: describeError(error) });
    }
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error `ManagedDriver.client` throws while a driver is down. */
export function driverUnavailableError(name: string): ShellgateError {
  return new ShellgateError(ErrorCode.Unavailable, `driver ${JSON.stringify(name)} is not available right now`, {
    hint: 'the gateway is restarting or reconnecting it; retry shortly, and check the gateway log for the driver\'s last lines',
    details: { driver: name },
  });
}
