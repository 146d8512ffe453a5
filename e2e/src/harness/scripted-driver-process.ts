// A driver binary run by hand (`--bind-socket`, `--config`), as an operator or the conformance
// kit would, through a small start script that records its pid, so the kit's --restart-cmd can
// restart it on the same socket. Each engine's e2e harness (containers, Kubernetes, VMs) is one
// of these plus what its engine leaves behind to clean up.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectDriver } from '@shellgate/driver-sdk';
import type { DriverClient } from '@shellgate/driver-sdk';
import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';
import type { TerminationCleanupHandle } from '@shellgate/driver-sdk/testing';
import { toTomlLines } from '../container/e2e-driver-config.js';
import type { DriverConfigValue } from '../container/engine-under-test.js';

const STOP_GRACE_MS = 10_000;

export interface ScriptedDriverOptions {
  /** How errors name it, e.g. `k8s` for "the k8s driver did not answer". */
  readonly name: string;
  readonly driverBin: string;
  /** Prefix of the temp dir that holds its config, scripts, socket, pid and log. */
  readonly dirPrefix: string;
  /** Its config, given that dir. */
  readonly config: (dir: string) => Readonly<Record<string, DriverConfigValue>>;
  /** Its socket, given that dir; default `<dir>/driver.sock`. */
  readonly socketPath?: (dir: string) => string;
  readonly connectTimeoutMs: number;
  readonly retryIntervalMs?: number;
  /** What the engine keeps after the driver stopped (`stop()`); default nothing. */
  readonly afterStop?: () => Promise<void> | void;
  /** The same when this test process is terminated; default `afterStop`. */
  readonly afterTermination?: () => Promise<void> | void;
}

/** What {@link ScriptedDriverProcess.spawn} started, for a subclass to keep. */
export interface SpawnedDriver {
  readonly dir: string;
  readonly socketPath: string;
  readonly config: Readonly<Record<string, DriverConfigValue>>;
  readonly client: DriverClient;
  readonly cleanup: TerminationCleanupHandle;
  readonly afterStop: (() => Promise<void> | void) | undefined;
}

/**
 * A driver on a private socket with a connected client; SIGTERM or SIGINT of this process
 * stops it. Subclasses start theirs with {@link ScriptedDriverProcess.spawn}.
 */
export class ScriptedDriverProcess {
  readonly dir: string;
  readonly socketPath: string;
  /** The config it was started with. */
  readonly config: Readonly<Record<string, DriverConfigValue>>;
  private connected: DriverClient;
  private readonly cleanup: TerminationCleanupHandle;
  private readonly afterStop: (() => Promise<void> | void) | undefined;

  protected constructor(spawned: SpawnedDriver) {
    this.dir = spawned.dir;
    this.socketPath = spawned.socketPath;
    this.config = spawned.config;
    this.connected = spawned.client;
    this.cleanup = spawned.cleanup;
    this.afterStop = spawned.afterStop;
  }

  /** Writes the config and scripts, starts the driver and connects; on failure cleans up and throws with its log. */
  protected static async spawn(options: ScriptedDriverOptions): Promise<SpawnedDriver> {
    const dir = mkdtempSync(join(tmpdir(), options.dirPrefix));
    const socketPath = options.socketPath?.(dir) ?? join(dir, 'driver.sock');
    const configPath = join(dir, 'driver.toml');
    const pidFile = join(dir, 'driver.pid');
    const config = options.config(dir);
    writeFileSync(configPath, `${toTomlLines(config).join('\n')}\n`, { mode: 0o600 });
    const start = [
      '#!/bin/sh',
      `${sh(process.execPath)} ${sh(options.driverBin)} --bind-socket ${sh(socketPath)} --config ${sh(configPath)} --log-level debug </dev/null >>${sh(join(dir, 'driver.log'))} 2>&1 &`,
      `echo $! >${sh(pidFile)}`,
    ];
    writeFileSync(join(dir, 'start-driver.sh'), `${start.join('\n')}\n`);
    const restart = [
      '#!/bin/sh',
      `pid=$(cat ${sh(pidFile)})`,
      'kill -TERM "$pid" 2>/dev/null',
      // Wait for the old driver to let go of the socket before the new one binds it.
      'i=0; while kill -0 "$pid" 2>/dev/null && [ "$(cut -d" " -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
      `exec sh ${sh(join(dir, 'start-driver.sh'))}`,
    ];
    writeFileSync(join(dir, 'restart-driver.sh'), `${restart.join('\n')}\n`);
    const cleanup = addTerminationCleanup(async () => {
      await stopPid(readPidFile(pidFile));
      await (options.afterTermination ?? options.afterStop)?.();
      rmSync(dir, { recursive: true, force: true });
    });
    execFileSync('sh', [join(dir, 'start-driver.sh')], { timeout: 10_000 });
    try {
      const client = await connectDriver(socketPath, { connectTimeoutMs: options.connectTimeoutMs, retryIntervalMs: options.retryIntervalMs ?? 50 });
      return { dir, socketPath, config, client, cleanup, afterStop: options.afterStop };
    } catch (error) {
      const log = existsSync(join(dir, 'driver.log')) ? readFileSync(join(dir, 'driver.log'), 'utf8') : '';
      await cleanup.run();
      throw new Error(`the ${options.name} driver did not answer on ${socketPath}: ${String(error)}\ndriver log:\n${log}`);
    }
  }

  get client(): DriverClient {
    return this.connected;
  }

  /** The shell command that restarts the driver on the same socket (for --restart-cmd). */
  get restartCommand(): string {
    return `sh ${join(this.dir, 'restart-driver.sh')}`;
  }

  get logPath(): string {
    return join(this.dir, 'driver.log');
  }

  /** Pid of the running driver process (it changes when the restart command runs). */
  get pid(): number {
    return Number(readFileSync(join(this.dir, 'driver.pid'), 'utf8').trim());
  }

  /** Everything the driver logged so far. */
  log(): string {
    return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8') : '';
  }

  /** Connects a fresh client (after a restart of the driver). */
  async reconnect(): Promise<DriverClient> {
    await this.connected.close();
    this.connected = await connectDriver(this.socketPath, { connectTimeoutMs: 20_000, retryIntervalMs: 50 });
    return this.connected;
  }

  /** Closes the client, stops the driver (SIGTERM, grace, SIGKILL), runs `afterStop` and removes its files. */
  async stop(): Promise<void> {
    await this.connected.close();
    await stopPid(readPidFile(join(this.dir, 'driver.pid')));
    await this.afterStop?.();
    rmSync(this.dir, { recursive: true, force: true });
    this.cleanup.forget();
  }
}

/** SIGTERM, up to STOP_GRACE_MS, then SIGKILL. */
async function stopPid(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  killPid(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (isRunning(pid) && Date.now() < deadline) await sleep(50);
  if (isRunning(pid)) killPid(pid, 'SIGKILL');
}

function readPidFile(pidFile: string): number | undefined {
  return existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;
}

/** Quotes a word for /bin/sh. */
function sh(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Alive and not a zombie (the driver is reparented, so nobody may have reaped it yet). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
