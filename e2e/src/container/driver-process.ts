// A real driver binary (`shellgate-driver-docker`, `shellgate-driver-podman`) run by hand
// (`--bind-socket`, `--config`), as an operator or the conformance kit would. It is started by
// a small shell script that records its pid, so the kit's --restart-cmd can restart it on the
// same socket.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectDriver } from '@shellgate/driver-sdk';
import type { DriverClient } from '@shellgate/driver-sdk';
import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';
import type { TerminationCleanupHandle } from '@shellgate/driver-sdk/testing';
import { defaultDriverConfig, e2eObjectName, toTomlLines } from './e2e-driver-config.js';
import type { DriverConfigValue, EngineUnderTest } from './engine-under-test.js';

const STOP_GRACE_MS = 10_000;

/**
 * A driver process on a private socket, with a connected client. It runs detached (the
 * restart command replaces it), so SIGTERM or SIGINT of this test process stops it and
 * removes the containers on its network, which no after() hook would do then.
 */
export class DriverProcess {
  private constructor(
    readonly engine: EngineUnderTest,
    readonly dir: string,
    readonly socketPath: string,
    readonly stateDir: string,
    readonly networkName: string,
    private connected: DriverClient,
    private readonly cleanup: TerminationCleanupHandle,
  ) {}

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

  /** Starts `engine`'s driver with the default config plus `overrides`, and connects to it. */
  static async launch(engine: EngineUnderTest, label: string, overrides: Readonly<Record<string, DriverConfigValue>> = {}): Promise<DriverProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'sg-e2e-drv-'));
    const stateDir = join(dir, 'state');
    const socketPath = join(dir, 'driver.sock');
    const configPath = join(dir, 'driver.toml');
    // Run by hand, the driver labels containers with this gateway id; the sweep knows its prefix.
    const config: Record<string, DriverConfigValue> = { ...defaultDriverConfig(label, stateDir), ...engine.driverConfig, gateway_id: e2eObjectName(label), ...overrides };
    writeFileSync(configPath, `${toTomlLines(config).join('\n')}\n`, { mode: 0o600 });
    const pidFile = join(dir, 'driver.pid');
    const start = [
      '#!/bin/sh',
      `${sh(process.execPath)} ${sh(engine.driverBin)} --bind-socket ${sh(socketPath)} --config ${sh(configPath)} --log-level debug </dev/null >>${sh(join(dir, 'driver.log'))} 2>&1 &`,
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
    const networkName = String(config.network_name);
    const cleanup = addTerminationCleanup(async () => {
      await stopPid(readPidFile(pidFile));
      await engine.removeNetworkAndContainers(networkName);
      rmSync(dir, { recursive: true, force: true });
    });
    execFileSync('sh', [join(dir, 'start-driver.sh')], { timeout: 10_000 });
    try {
      const client = await connectDriver(socketPath, { connectTimeoutMs: 20_000, retryIntervalMs: 50 });
      return new DriverProcess(engine, dir, socketPath, stateDir, networkName, client, cleanup);
    } catch (error) {
      const log = existsSync(join(dir, 'driver.log')) ? readFileSync(join(dir, 'driver.log'), 'utf8') : '';
      await cleanup.run();
      throw new Error(`the ${engine.name} driver did not answer on ${socketPath}: ${String(error)}\ndriver log:\n${log}`);
    }
  }

  /** Pid of the running driver process. */
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

  /**
   * Closes the client, stops the driver (SIGTERM, grace, SIGKILL) and removes its files and
   * its network (the driver keeps networks: they are shared and reused).
   */
  async stop(): Promise<void> {
    await this.connected.close();
    await stopPid(this.pid);
    rmSync(this.dir, { recursive: true, force: true });
    await this.engine.removeNetwork(this.networkName);
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
