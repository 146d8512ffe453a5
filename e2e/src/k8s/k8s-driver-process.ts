// shellgate-driver-k8s run by hand (`--bind-socket`, `--config`), as an operator or the
// conformance kit would, through a small start script that records its pid so the kit's
// --restart-cmd can restart it on the same socket. Termination of this test process stops it.
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
import { toTomlLines, type DriverConfigValue } from '../container/e2e-driver-config.js';
import { K8S_DRIVER_BIN } from './k8s-e2e-env.js';

const STOP_GRACE_MS = 10_000;

function sh(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export class K8sDriverProcess {
  private constructor(
    readonly dir: string,
    readonly socketPath: string,
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

  log(): string {
    const path = join(this.dir, 'driver.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  static async launch(settings: Readonly<Record<string, DriverConfigValue>>): Promise<K8sDriverProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'sg-e2e-k8sdrv-'));
    const socketPath = join(dir, 'driver.sock');
    const configPath = join(dir, 'driver.toml');
    const pidFile = join(dir, 'driver.pid');
    writeFileSync(configPath, `${toTomlLines({ state_dir: join(dir, 'state'), ...settings }).join('\n')}\n`, { mode: 0o600 });
    const start = [
      '#!/bin/sh',
      `${sh(process.execPath)} ${sh(K8S_DRIVER_BIN)} --bind-socket ${sh(socketPath)} --config ${sh(configPath)} --log-level debug </dev/null >>${sh(join(dir, 'driver.log'))} 2>&1 &`,
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
      await stopPid(readPid(pidFile));
      rmSync(dir, { recursive: true, force: true });
    });
    execFileSync('sh', [join(dir, 'start-driver.sh')], { timeout: 10_000 });
    try {
      const client = await connectDriver(socketPath, { connectTimeoutMs: 60_000, retryIntervalMs: 100 });
      return new K8sDriverProcess(dir, socketPath, client, cleanup);
    } catch (error) {
      const log = existsSync(join(dir, 'driver.log')) ? readFileSync(join(dir, 'driver.log'), 'utf8') : '';
      await cleanup.run();
      throw new Error(`the k8s driver did not answer on ${socketPath}: ${String(error)}\ndriver log:\n${log}`);
    }
  }

  async stop(): Promise<void> {
    await this.connected.close();
    await stopPid(readPid(join(this.dir, 'driver.pid')));
    rmSync(this.dir, { recursive: true, force: true });
    this.cleanup.forget();
  }
}

function readPid(pidFile: string): number | undefined {
  return existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;
}

async function stopPid(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const kill = (signal: NodeJS.Signals): void => {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (isRunning(pid) && Date.now() < deadline) await sleep(50);
  if (isRunning(pid)) kill('SIGKILL');
}
