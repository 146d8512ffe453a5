// The real `shellgate-gateway` spawning the real docker driver, for the Docker benchmarks:
// a free loopback port, a private temp state dir, the local test image and never a pull.
// (bench/src/gateway-process.ts does the same for the fake driver.)
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GATEWAY_BIN = path.join(REPO_ROOT, 'packages', 'gateway', 'dist', 'main.js');
export const DOCKER_DRIVER_BIN = path.join(REPO_ROOT, 'packages', 'driver-docker', 'dist', 'main.js');
export const CLI_BIN = path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js');
/** Built by `scripts/engines/docker.sh start`. */
export const BENCH_IMAGE = 'shellgate-test/busybox:1';
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 30_000;
const KEPT_LINES = 40;

function buildConfigToml(stateDir: string, networkName: string): string {
  return [
    `state_dir = ${JSON.stringify(stateDir)}`,
    'listen = "127.0.0.1:0"',
    'log_level = "info"',
    '[drivers.docker]',
    `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(DOCKER_DRIVER_BIN)}]`,
    // No supervisor yet (a later issue): backend Running counts as Ready.
    'requires_supervisor = false',
    `default_image = ${JSON.stringify(BENCH_IMAGE)}`,
    'image_pull_policy = "Never"',
    `network_name = ${JSON.stringify(networkName)}`,
    `state_dir = ${JSON.stringify(path.join(stateDir, 'driver-docker'))}`,
    'stop_timeout_seconds = 1',
    '',
  ].join('\n');
}

/** A running gateway with the docker driver; `stop()` ends it and removes its state dir. */
export class DockerBenchGateway {
  private constructor(
    private readonly child: ChildProcess,
    readonly stateDir: string,
    readonly address: string,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(networkName: string): Promise<DockerBenchGateway> {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'sg-bench-docker-'));
    const configPath = path.join(stateDir, 'gateway.toml');
    await writeFile(configPath, buildConfigToml(stateDir, networkName), { mode: 0o600 });
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(SHELLGATE|OPENSHELL)_/.test(key)));
    const child = spawn(process.execPath, [GATEWAY_BIN, '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'], env });
    try {
      return new DockerBenchGateway(child, stateDir, await waitForReady(child));
    } catch (error) {
      await stopChild(child);
      await rm(stateDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** SIGTERM, a bounded wait, SIGKILL; then the state dir goes. Idempotent. */
  async stop(): Promise<void> {
    await stopChild(this.child);
    await rm(this.stateDir, { recursive: true, force: true });
  }
}

function waitForReady(child: ChildProcess): Promise<string> {
  const lines: string[] = [];
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway not ready after ${READY_TIMEOUT_MS} ms:\n${lines.join('\n')}`)), READY_TIMEOUT_MS);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (code ${String(code)}, signal ${String(signal)}) before ready:\n${lines.join('\n')}`));
    };
    child.once('exit', onExit);
    for (const stream of [child.stdout!, child.stderr!]) {
      // Lines are read (and dropped) for the whole run, so a full pipe never stalls the gateway.
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        if (lines.length > KEPT_LINES) lines.shift();
        const address = readyAddress(line);
        if (address === undefined) return;
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(address);
      });
    }
  });
}

function readyAddress(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { message?: unknown; address?: unknown };
    return entry.message === 'gateway ready' && typeof entry.address === 'string' ? entry.address : undefined;
  } catch {
    return undefined;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
