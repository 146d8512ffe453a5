// The real `shellgate-gateway` on a free loopback port and a private temp state dir, for
// benchmarks: by default with the SDK's fake driver (memory only), or with any driver table.
// Mirrors e2e/src/harness/gateway-process.ts, which lives in another package; this one keeps
// only what a benchmark needs.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';
import type { TerminationCleanupHandle } from '@shellgate/driver-sdk/testing';

import { stopChildProcess, withParentWatch } from './owned-child-process.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GATEWAY_BIN = path.join(REPO_ROOT, 'packages', 'gateway', 'dist', 'main.js');
export const FAKE_DRIVER_BIN = path.join(REPO_ROOT, 'packages', 'driver-sdk', 'dist', 'fake-driver', 'main.js');
const DEFAULT_READY_TIMEOUT_MS = 20_000;
const DEFAULT_STOP_GRACE_MS = 10_000;
/** How long the fake driver keeps each new sandbox Provisioning. */
export const READY_DELAY_MS = 1_000;
/** Log lines kept for the error when the gateway fails to start. */
const KEPT_LINES = 40;

export interface BenchGatewayOptions {
  /** Extra node flags for the gateway process, e.g. `--cpu-prof --cpu-prof-dir=DIR`. */
  readonly nodeArgs?: readonly string[];
  /** The `[drivers.*]` lines, given the state dir; default: the fake driver. */
  readonly driverTable?: (stateDir: string) => readonly string[];
  /** Top-level gateway.toml lines, e.g. `database = "postgres://..."` (the file is 0600). */
  readonly settings?: readonly string[];
  /** Runs on the fresh state dir before the gateway starts (e.g. to place a replica's shared identity). */
  readonly prepareStateDir?: (stateDir: string) => Promise<void>;
  readonly readyTimeoutMs?: number;
  readonly stopGraceMs?: number;
  /** The API's `listen`; default a free loopback port. */
  readonly listen?: string;
}

function buildConfigToml(stateDir: string, driverTable: readonly string[], settings: readonly string[], listen: string): string {
  return [
    `state_dir = ${JSON.stringify(stateDir)}`,
    `listen = ${JSON.stringify(listen)}`,
    // The default level: a benchmark measures what an operator runs.
    'log_level = "info"',
    ...settings,
    ...driverTable,
    '',
  ].join('\n');
}

/** The SDK's fake driver, sandboxes in its memory. */
export function fakeDriverTable(): string[] {
  return [
    '[drivers.fake]',
    `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(FAKE_DRIVER_BIN)}]`,
    'requires_supervisor = false',
    // A real backend takes seconds to start a sandbox, so CreateSandbox answers Provisioning and
    // Ready arrives later over the watch; the fake's default of 0 would answer Ready at once.
    `ready_delay_ms = ${READY_DELAY_MS}`,
  ];
}

/** Child env without our config variables, so the operator's shell cannot change the run. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(SHELLGATE|OPENSHELL)_/.test(key)));
}

/**
 * A running gateway; `stop()` (or `await using`) ends it and removes its state dir, and so
 * does SIGTERM or SIGINT of this process. SIGKILL of this process closes the stdin pipe the
 * gateway watches, so it stops by itself.
 */
export class BenchGateway implements AsyncDisposable {
  private constructor(
    private readonly child: ChildProcess,
    readonly stateDir: string,
    readonly address: string,
    private readonly cleanup: TerminationCleanupHandle,
  ) {}

  /** Spawns the gateway and resolves once it logs "gateway ready" with its address. */
  static async start(options: BenchGatewayOptions = {}): Promise<BenchGateway> {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'sg-bench-gw-'));
    const configPath = path.join(stateDir, 'gateway.toml');
    await options.prepareStateDir?.(stateDir);
    const driverTable = options.driverTable?.(stateDir) ?? fakeDriverTable();
    await writeFile(configPath, buildConfigToml(stateDir, driverTable, options.settings ?? [], options.listen ?? '127.0.0.1:0'), { mode: 0o600 });
    const stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), GATEWAY_BIN, '--config', configPath], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: withParentWatch(cleanEnv()),
    });
    const cleanup = addTerminationCleanup(async () => {
      await stopChildProcess(child, stopGraceMs);
      await rm(stateDir, { recursive: true, force: true });
    });
    try {
      const address = await waitForReady(child, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
      return new BenchGateway(child, stateDir, address, cleanup);
    } catch (error) {
      await cleanup.run();
      throw error;
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** SIGKILL, as a crash would; `stop()` still removes the state dir. */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** SIGTERM, a bounded wait, SIGKILL; then the state dir goes. Idempotent. */
  async stop(): Promise<void> {
    await this.cleanup.run();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<string> {
  const lines: string[] = [];
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway not ready after ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (code ${String(code)}, signal ${String(signal)}) before ready:\n${lines.join('\n')}`));
    };
    child.once('exit', onExit);
    for (const stream of [child.stdout!, child.stderr!]) {
      // Every line is read (and dropped) for the whole run, so a full pipe never stalls the gateway.
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
