import { BackoffJitter, ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import type { BackoffPolicy, DriverCallObserver, DriverClient, LogLevel, Logger } from '@shellgate/driver-sdk';
import type { GatewayConfig } from '../config/index.js';
import type { ConnectDriverFn, DriverProcessOptions } from './driver-process.js';
import { resolveDriverRunRoot } from './driver-run-root.js';
import type { DriverKind, DriverSelection, DriverSpec } from './driver-selection.js';
import { DriverSupervisor, createDriverProcess, defaultSleep, driverUnavailableError } from './driver-supervisor.js';
import type { SleepFn, SupervisedProcess, SupervisorSettings } from './driver-supervisor.js';

/**
 * Restart (or re-dial) delays of a lost driver: 250 ms (the upstream dial interval) doubling
 * to 30 s. Equal jitter, between half and all of each step: drivers lost together (a host
 * hiccup) do not restart in lock-step, and a crash-looping driver is never restarted sooner
 * than half a step.
 */
export const DRIVER_RESTART_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 250, maxMs: 30_000, jitter: BackoffJitter.Equal });

/** A driver as the rest of the gateway sees it; `client` is always the current one. */
export interface ManagedDriver {
  readonly name: string;
  readonly kind: DriverKind;
  readonly spec: DriverSpec;
  /** The live client; throws UNAVAILABLE while the driver is being restarted or re-dialed. */
  readonly client: DriverClient;
  /** What GetCapabilities answered last, kept while the driver is down. */
  readonly capabilities: DriverClient['capabilities'] | undefined;
  readonly isAvailable: boolean;
  /** Pid of a spawned driver's current process. */
  readonly pid: number | undefined;
}

export type DriverRestartedListener = (driver: ManagedDriver, client: DriverClient) => void;
export type DriverUnavailableListener = (driver: ManagedDriver, reason: string) => void;

export interface DriverManagerOptions {
  readonly logger: Logger;
  /** Handed to spawned drivers as --log-level. */
  readonly logLevel: LogLevel;
  /** Spawned driver: start to GetCapabilities bound, ms. Default 10000. */
  readonly readyTimeoutMs?: number;
  /** Socket driver: dial retry bound at startup, ms. Default 30000. */
  readonly connectTimeoutMs?: number;
  /** SIGTERM-to-SIGKILL wait, ms. Default 5000. */
  readonly shutdownGraceMs?: number;
  /** Default deadline of driver calls, ms. Default: the SDK's 30000. */
  readonly callTimeoutMs?: number;
  /** Health probe period, ms. Default 5000. */
  readonly healthIntervalMs?: number;
  /** Health probe deadline, ms. Default 2000. */
  readonly healthTimeoutMs?: number;
  /** Missed probes before a driver counts as lost. Default 3. */
  readonly healthMisses?: number;
  /** Restart backoff. Default {@link DRIVER_RESTART_BACKOFF}. */
  readonly backoff?: BackoffPolicy;
  /** Uptime after which a lost driver restarts from the first backoff step, ms. Default 30000. */
  readonly stableAfterMs?: number;
  readonly connect?: ConnectDriverFn;
  /** Sees every call the gateway makes to a driver, by driver name (optional telemetry's client spans). */
  readonly observeCalls?: (driver: string) => DriverCallObserver;
  /** Extra env for every spawned driver. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Parent of spawned drivers' run dirs (`resolveDriverRunRoot`); prepare and sweep it with
   * `prepareDriverRunRoot` before start.
   */
  readonly runRoot: string;
  readonly createProcess?: (options: DriverProcessOptions) => SupervisedProcess;
  readonly random?: () => number;
  readonly sleep?: SleepFn;
  readonly now?: () => number;
}

/** Manager options from the gateway config: the timeouts the operator set, run dirs under state_dir. */
export function toDriverManagerOptions(config: GatewayConfig, logger: Logger): DriverManagerOptions {
  return {
    logger,
    runRoot: resolveDriverRunRoot(config.stateDir),
    logLevel: config.logLevel,
    readyTimeoutMs: config.driverReadyTimeoutMs,
    connectTimeoutMs: config.driverConnectTimeoutMs,
    shutdownGraceMs: config.shutdownGraceMs,
  };
}

class ManagedDriverView implements ManagedDriver {
  readonly #supervisor: DriverSupervisor;
  constructor(supervisor: DriverSupervisor) {
    this.#supervisor = supervisor;
  }
  get name(): string {
    return this.#supervisor.spec.name;
  }
  get kind(): DriverKind {
    return this.#supervisor.spec.kind;
  }
  get spec(): DriverSpec {
    return this.#supervisor.spec;
  }
  get client(): DriverClient {
    const client = this.#supervisor.client;
    if (client === undefined) throw driverUnavailableError(this.name);
    return client;
  }
  get capabilities(): DriverClient['capabilities'] | undefined {
    return this.#supervisor.capabilities;
  }
  get isAvailable(): boolean {
    return this.#supervisor.client !== undefined;
  }
  get pid(): number | undefined {
    return this.#supervisor.pid;
  }
}

/**
 * Owns every configured driver: spawns built-in and `command` drivers and dials sockets,
 * restarts or re-dials lost ones in the background, and stops spawned ones on close().
 */
export class DriverManager implements AsyncDisposable {
  readonly defaultDriverName: string;
  readonly #logger: Logger;
  readonly #supervisors: DriverSupervisor[];
  readonly #views = new Map<string, ManagedDriverView>();
  readonly #restartedListeners = new Set<DriverRestartedListener>();
  readonly #unavailableListeners = new Set<DriverUnavailableListener>();
  #closed: Promise<void> | undefined;

  constructor(selection: DriverSelection, options: DriverManagerOptions) {
    this.defaultDriverName = selection.defaultDriverName;
    this.#logger = options.logger.child({ component: 'driver-manager' });
    const settings = toSettings(options);
    this.#supervisors = selection.drivers.map((spec) => {
      const view = (): ManagedDriver => this.get(spec.name);
      const supervisor = new DriverSupervisor(spec, settings, {
        restarted: (client) => this.#restartedListeners.forEach((listener) => listener(view(), client)),
        unavailable: (reason) => this.#unavailableListeners.forEach((listener) => listener(view(), reason)),
      });
      this.#views.set(spec.name, new ManagedDriverView(supervisor));
      return supervisor;
    });
  }

  /** Starts or dials every driver in parallel; if any cannot become ready, stops all and throws. */
  async start(): Promise<void> {
    const results = await Promise.allSettled(this.#supervisors.map((supervisor) => supervisor.start()));
    const failures = results.flatMap((result, index) =>
      result.status === 'rejected' ? [{ name: this.#supervisors[index]?.spec.name ?? '?', error: result.reason as unknown }] : [],
    );
    if (failures.length === 0) {
      this.#logger.info('drivers ready', { drivers: this.#supervisors.map((supervisor) => supervisor.spec.name), default: this.defaultDriverName });
      return;
    }
    await this.close();
    if (failures.length === 1 && failures[0] !== undefined) throw failures[0].error;
    const lines = failures.map(({ name, error }) => `- ${name}: ${error instanceof Error ? error.message : String(error)}`);
    throw new ShellgateError(ErrorCode.Unavailable, `${failures.length} drivers could not start:\n${lines.join('\n')}`, {
      hint: 'fix each driver named above, or remove it from gateway.toml',
      details: { drivers: failures.map(({ name }) => name) },
      cause: failures[0]?.error,
    });
  }

  /** The driver called `name`; throws NOT_FOUND naming the configured drivers. */
  get(name: string): ManagedDriver {
    const view = this.#views.get(name);
    if (view !== undefined) return view;
    throw new ShellgateError(ErrorCode.NotFound, `driver ${JSON.stringify(name)} is not configured on this gateway`, {
      hint: `use one of ${[...this.#views.keys()].join(', ')}`,
      details: { driver: name },
    });
  }

  list(): ManagedDriver[] {
    return [...this.#views.values()];
  }

  /** Called after a lost driver is back (restarted or re-dialed): re-list and re-watch it. */
  onDriverRestarted(listener: DriverRestartedListener): () => void {
    this.#restartedListeners.add(listener);
    return () => this.#restartedListeners.delete(listener);
  }

  /** Called when a driver is lost (exited or stopped answering). */
  onDriverUnavailable(listener: DriverUnavailableListener): () => void {
    this.#unavailableListeners.add(listener);
    return () => this.#unavailableListeners.delete(listener);
  }

  /** Stops supervision, closes every client and stops every spawned driver (SIGTERM, grace, SIGKILL, reap). Idempotent. */
  close(): Promise<void> {
    this.#closed ??= Promise.allSettled(this.#supervisors.map((supervisor) => supervisor.close())).then((results) => {
      for (const result of results) {
        if (result.status === 'rejected') this.#logger.error('driver did not close cleanly', { error: String(result.reason) });
      }
    });
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function toSettings(options: DriverManagerOptions): SupervisorSettings {
  return {
    logger: options.logger,
    logLevel: options.logLevel,
    readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
    shutdownGraceMs: options.shutdownGraceMs ?? 5_000,
    callTimeoutMs: options.callTimeoutMs,
    healthIntervalMs: options.healthIntervalMs ?? 5_000,
    healthTimeoutMs: options.healthTimeoutMs ?? 2_000,
    healthMisses: options.healthMisses ?? 3,
    backoff: options.backoff ?? DRIVER_RESTART_BACKOFF,
    stableAfterMs: options.stableAfterMs ?? 30_000,
    connect: options.connect,
    observeCalls: options.observeCalls,
    env: options.env ?? {},
    runRoot: options.runRoot,
    createProcess: options.createProcess ?? createDriverProcess,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? defaultSleep,
    now: options.now ?? Date.now,
  };
}
