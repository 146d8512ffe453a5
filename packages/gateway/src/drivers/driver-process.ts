import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { stringify } from 'smol-toml';
import { connectDriver, toStorageError } from '@shellgate/driver-sdk';
import type { ConnectDriverOptions, DriverCallObserver, DriverClient, LogLevel, Logger } from '@shellgate/driver-sdk';
import { diagnoseExecutable } from './diagnose-executable.js';
import { DriverLogForwarder } from './driver-log-forwarder.js';
import { DRIVER_SOCKET_FILE, createDriverRunDir, removeDriverRunDir } from './driver-run-root.js';
import { DriverStartError } from './errors.js';
import { PARENT_WATCH_ENV, PARENT_WATCH_STDIN } from '@shellgate/driver-sdk';

/** Dials a driver socket; `connectDriver` from the SDK unless a test injects a fake. */
export type ConnectDriverFn = (socketPath: string, options: ConnectDriverOptions) => Promise<DriverClient>;

/** How a driver process ended: an exit code, a signal, or a spawn failure (`errorCode`). */
export interface DriverExit {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly errorCode?: string;
}

export interface DriverProcessOptions {
  readonly name: string;
  /** argv; `--bind-socket`, `--config` and `--log-level` are appended. */
  readonly command: readonly string[];
  /** The driver's own table, written 0600 to `<runDir>/config.toml`. */
  readonly driverConfig: Readonly<Record<string, unknown>>;
  readonly logLevel: LogLevel;
  /** Gateway logger; the driver's lines go to a child `{ driver: name }`. */
  readonly logger: Logger;
  /** Bound on start-to-GetCapabilities, in ms (gateway `driver_ready_timeout_ms`). */
  readonly readyTimeoutMs: number;
  /** SIGTERM-to-SIGKILL wait, in ms (gateway `shutdown_grace_ms`). */
  readonly shutdownGraceMs: number;
  /** Default deadline of the returned client's calls, in ms. Default 30000. */
  readonly callTimeoutMs?: number;
  readonly connect?: ConnectDriverFn;
  /** Sees every call of the returned client (optional telemetry). */
  readonly callObserver?: DriverCallObserver | undefined;
  /** Extra env for the child on top of the gateway's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** Parent of the private run dir (`resolveDriverRunRoot`); short enough for a socket path. */
  readonly runRoot: string;
}

const READY_RETRY_INTERVAL_MS = 100; // upstream polls readiness every 100 ms
const STARTUP_LINES = 20;

/**
 * One spawned driver executable, supervised the way go-plugin supervises plugins: its
 * own process group, a private 0700 run dir, a bounded readiness wait, forwarded logs,
 * and an idempotent stop that escalates SIGTERM → grace → SIGKILL, reaps and cleans up.
 * Its stdin stays open: SDK drivers exit when it reaches EOF, so they never outlive us.
 */
export class DriverProcess {
  readonly name: string;
  readonly #options: DriverProcessOptions;
  readonly #logs: DriverLogForwarder;
  #runDir: string | undefined;
  #subprocess: ResultPromise | undefined;
  #exited: Promise<DriverExit> | undefined;
  #exit: DriverExit | undefined;
  #terminating: Promise<DriverExit | undefined> | undefined;

  constructor(options: DriverProcessOptions) {
    this.name = options.name;
    this.#options = options;
    this.#logs = new DriverLogForwarder(options.logger.child({ driver: options.name }));
  }

  get pid(): number | undefined {
    return this.#subprocess?.pid;
  }

  get runDir(): string | undefined {
    return this.#runDir;
  }

  get socketPath(): string | undefined {
    return this.#runDir === undefined ? undefined : join(this.#runDir, DRIVER_SOCKET_FILE);
  }

  /** True from a successful spawn until the process has exited. */
  get isRunning(): boolean {
    return this.#subprocess?.pid !== undefined && this.#exit === undefined;
  }

  /** Resolves when the process has exited and been reaped. */
  get exited(): Promise<DriverExit> {
    if (this.#exited === undefined) throw new Error(`driver ${this.name} was not started`);
    return this.#exited;
  }

  /** The last lines the driver wrote (stdout and stderr), oldest first. */
  lastLines(count = STARTUP_LINES): string[] {
    return this.#logs.lastLines(count);
  }

  /** Creates the run dir, writes the config file and spawns the process. */
  async start(): Promise<void> {
    if (this.#subprocess !== undefined) throw new Error(`driver ${this.name} was already started`);
    const { runDir, configPath } = await this.#prepareRunDir().catch(async (error: unknown) => {
      await this.stop();
      throw toStorageError(error, this.#options.runRoot, `prepare the run directory of driver ${JSON.stringify(this.name)}`);
    });
    const [program = '', ...args] = this.#options.command;
    const subprocess = execa(program, [...args, '--bind-socket', join(runDir, DRIVER_SOCKET_FILE), '--config', configPath, '--log-level', this.#options.logLevel], {
      // Own process group: a terminal's Ctrl-C reaches only the gateway, which then stops
      // drivers in order; and stop() can signal the driver's children too.
      detached: true,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      forceKillAfterDelay: false,
      env: { [PARENT_WATCH_ENV]: PARENT_WATCH_STDIN, ...this.#options.env },
    });
    this.#subprocess = subprocess;
    for (const stream of ['stdout', 'stderr'] as const) {
      subprocess[stream].on('data', (chunk: Buffer) => this.#logs.write(stream, chunk));
      subprocess[stream].on('end', () => this.#logs.flush(stream));
    }
    // An EPIPE on a driver that exited must not become an unhandled 'error'.
    subprocess.stdin.on('error', () => undefined);
    this.#exited = subprocess.then(toDriverExit, (error: unknown) => toDriverExit(error)).then((exit) => {
      this.#exit = exit;
      return exit;
    });
    await Promise.race([new Promise((resolve) => subprocess.once('spawn', resolve)), this.#exited]);
    if (this.#exit !== undefined && subprocess.pid === undefined) {
      const exit = this.#exit;
      await this.stop();
      throw this.#startError(`driver ${JSON.stringify(this.name)} could not be started (${describeExit(exit)})`, exit);
    }
  }

  /**
   * Resolves with a connected client once the socket answers GetCapabilities. If the
   * process exits first, or `readyTimeoutMs` passes, the child is killed and a
   * {@link DriverStartError} reports the exit, the last lines and a diagnosis.
   */
  async waitReady(signal?: AbortSignal): Promise<DriverClient> {
    const socketPath = this.socketPath;
    if (socketPath === undefined || this.#exited === undefined) throw new Error(`driver ${this.name} was not started`);
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    void this.#exited.then(() => controller.abort(new Error('driver exited')));
    const connect = this.#options.connect ?? connectDriver;
    try {
      return await connect(socketPath, {
        connectTimeoutMs: this.#options.readyTimeoutMs,
        retryIntervalMs: READY_RETRY_INTERVAL_MS,
        ...(this.#options.callTimeoutMs === undefined ? {} : { callTimeoutMs: this.#options.callTimeoutMs }),
        logger: this.#options.logger,
        signal: controller.signal,
        callObserver: this.#options.callObserver,
      });
    } catch (error) {
      const exitedByItself = this.#exit;
      await this.kill();
      if (signal?.aborted === true) throw error;
      if (exitedByItself !== undefined) {
        throw this.#startError(`driver ${JSON.stringify(this.name)} exited before it was ready (${describeExit(exitedByItself)})`, exitedByItself, error);
      }
      throw this.#startError(
        `driver ${JSON.stringify(this.name)} did not answer GetCapabilities on ${socketPath} within ${this.#options.readyTimeoutMs} ms`,
        this.#exit,
        error,
      );
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** SIGTERM to the process group, `shutdownGraceMs`, SIGKILL, reap, remove the run dir. Idempotent. */
  stop(): Promise<DriverExit | undefined> {
    return this.#terminate(this.#options.shutdownGraceMs);
  }

  /** SIGKILL to the process group at once, then reap and clean up. Idempotent. */
  kill(): Promise<DriverExit | undefined> {
    if (this.#terminating !== undefined) this.#signalGroup('SIGKILL');
    return this.#terminate(0);
  }

  /** Notes on the executable: path exists, mode, owner, executable bit, shebang interpreter. */
  diagnose(): string[] {
    return diagnoseExecutable(this.#options.command);
  }

  #terminate(graceMs: number): Promise<DriverExit | undefined> {
    this.#terminating ??= (async () => {
      const exited = this.#exited;
      if (exited !== undefined && this.#subprocess?.pid !== undefined) {
        if (this.#exit === undefined) {
          this.#signalGroup(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
          if (graceMs > 0 && !(await settlesWithin(exited, graceMs))) {
            this.#options.logger.warn('driver ignored SIGTERM; sending SIGKILL', { driver: this.name, graceMs });
            this.#signalGroup('SIGKILL');
          }
        }
        await exited;
        // Whatever the driver left behind in its group goes too.
        this.#signalGroup('SIGKILL');
      }
      this.#subprocess?.stdin?.destroy();
      if (this.#runDir !== undefined) await removeDriverRunDir(this.#runDir);
      return this.#exit;
    })();
    return this.#terminating;
  }

  /** A fresh 0700 run dir with the driver's table in it as `config.toml` (0600). */
  async #prepareRunDir(): Promise<{ runDir: string; configPath: string }> {
    const runDir = await createDriverRunDir(this.#options.runRoot);
    this.#runDir = runDir;
    const configPath = join(runDir, 'config.toml');
    await writeFile(configPath, stringify(this.#options.driverConfig), { mode: 0o600 });
    return { runDir, configPath };
  }

  #signalGroup(signal: NodeJS.Signals): void {
    const pid = this.#subprocess?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        if (this.#exit === undefined) process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  #startError(message: string, exit: DriverExit | undefined, cause?: unknown): DriverStartError {
    const lastLines = this.lastLines(STARTUP_LINES);
    const diagnosis = this.diagnose();
    const sections = [
      message,
      lastLines.length === 0 ? '  (the driver wrote no output)' : `  last output:\n${lastLines.map((line) => `    ${line}`).join('\n')}`,
      `  diagnosis:\n${diagnosis.map((note) => `    ${note}`).join('\n')}`,
    ];
    return new DriverStartError(this.name, sections.join('\n'), {
      hint: `run ${this.#options.command.join(' ')} --help by hand to check it starts; raise driver_ready_timeout_ms for a slow driver`,
      details: { exitCode: exit?.exitCode, signal: exit?.signal, lastLines, diagnosis },
      cause,
    });
  }
}

function toDriverExit(result: unknown): DriverExit {
  const value = result as { exitCode?: number; signal?: string; code?: string; cause?: { code?: string } };
  const errorCode = value.code ?? value.cause?.code;
  return { exitCode: value.exitCode, signal: value.signal, ...(errorCode === undefined ? {} : { errorCode }) };
}

export function describeExit(exit: DriverExit): string {
  if (exit.errorCode !== undefined && exit.exitCode === undefined && exit.signal === undefined) return `spawn failed: ${exit.errorCode}`;
  if (exit.signal !== undefined) return `killed by ${exit.signal}`;
  return `exit code ${exit.exitCode ?? 'unknown'}`;
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
