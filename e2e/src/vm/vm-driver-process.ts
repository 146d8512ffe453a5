// The real `shellgate-driver-vm` binary run by hand (`--bind-socket`, `--config`), as an
// operator or the conformance kit would, started by a small shell script that records its
// pid so the kit's --restart-cmd can restart it on the same socket.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectDriver } from '@shellgate/driver-sdk';
import type { DriverClient } from '@shellgate/driver-sdk';
import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';
import type { TerminationCleanupHandle } from '@shellgate/driver-sdk/testing';
import { isRunning } from '../container/driver-process.js';
import { TEST_IMAGE, toTomlLines } from '../container/e2e-driver-config.js';
import type { DriverConfigValue } from '../container/e2e-driver-config.js';
import { VM_DRIVER_BIN } from '../harness/paths.js';
import { VM_CACHE_DIR, e2eRunDir, killQemuUnder } from './vm-engine.js';

const STOP_GRACE_MS = 10_000;

/**
 * The config every e2e VM driver gets: the local test image, the shared prepared cache, a
 * run dir under the engine dir (how cleanups find its QEMU), quick stops, no supervisor
 * (driver-level tests see backend state only; the gateway suite turns it on).
 */
export function defaultVmDriverConfig(label: string, stateDir: string): Record<string, DriverConfigValue> {
  return {
    default_image: TEST_IMAGE,
    state_dir: stateDir,
    cache_dir: VM_CACHE_DIR,
    run_dir: e2eRunDir(label),
    stop_timeout_seconds: 2,
    inject_supervisor: false,
  };
}

function sh(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A VM driver on a private socket, restartable by a script; its VMs are killed on cleanup. */
export class VmDriverProcess {
  private constructor(
    readonly dir: string,
    readonly socketPath: string,
    readonly runDir: string,
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

  get pid(): number {
    return Number(readFileSync(join(this.dir, 'driver.pid'), 'utf8').trim());
  }

  log(): string {
    const path = join(this.dir, 'driver.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  static async start(label: string, overrides: Readonly<Record<string, DriverConfigValue>> = {}): Promise<VmDriverProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'sg-e2e-vm-'));
    const socketPath = join(dir, 'socket', 'driver.sock');
    const configPath = join(dir, 'driver.toml');
    const config: Record<string, DriverConfigValue> = { ...defaultVmDriverConfig(label, join(dir, 'state')), gateway_id: `e2e-${label}`, ...overrides };
    const runDir = String(config.run_dir);
    writeFileSync(configPath, `${toTomlLines(config).join('\n')}\n`, { mode: 0o600 });
    const pidFile = join(dir, 'driver.pid');
    const start = [
      '#!/bin/sh',
      `${sh(process.execPath)} ${sh(VM_DRIVER_BIN)} --bind-socket ${sh(socketPath)} --config ${sh(configPath)} --log-level debug </dev/null >>${sh(join(dir, 'driver.log'))} 2>&1 &`,
      `echo $! >${sh(pidFile)}`,
    ];
    writeFileSync(join(dir, 'start-driver.sh'), `${start.join('\n')}\n`);
    const restart = [
      '#!/bin/sh',
      `pid=$(cat ${sh(pidFile)})`,
      'kill -TERM "$pid" 2>/dev/null',
      'i=0; while kill -0 "$pid" 2>/dev/null && [ "$(cut -d" " -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
      `exec sh ${sh(join(dir, 'start-driver.sh'))}`,
    ];
    writeFileSync(join(dir, 'restart-driver.sh'), `${restart.join('\n')}\n`);
    const cleanup = addTerminationCleanup(async () => {
      await stopPid(existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined);
      killQemuUnder(runDir);
      rmSync(dir, { recursive: true, force: true });
    });
    execFileSync('sh', [join(dir, 'start-driver.sh')], { timeout: 10_000 });
    try {
      const client = await connectDriver(socketPath, { connectTimeoutMs: 30_000, retryIntervalMs: 50 });
      return new VmDriverProcess(dir, socketPath, runDir, client, cleanup);
    } catch (error) {
      const log = existsSync(join(dir, 'driver.log')) ? readFileSync(join(dir, 'driver.log'), 'utf8') : '';
      await cleanup.run();
      throw new Error(`the vm driver did not answer on ${socketPath}: ${String(error)}\ndriver log:\n${log}`);
    }
  }

  /** Closes the client, stops the driver, kills the VMs it leaves running and removes its files. */
  async stop(): Promise<void> {
    await this.connected.close();
    await stopPid(this.pid);
    killQemuUnder(this.runDir);
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.runDir, { recursive: true, force: true });
    this.cleanup.forget();
  }
}

async function stopPid(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_GRACE_MS;
  while (isRunning(pid) && Date.now() < deadline) await sleep(50);
  if (isRunning(pid)) process.kill(pid, 'SIGKILL');
}
