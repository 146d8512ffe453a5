import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { OpenShellClient } from '@shellgate/api';
import { PARENT_WATCH_ENV, PARENT_WATCH_STDIN } from '@shellgate/driver-sdk';
import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';
import { GATEWAY_BIN } from './paths.js';

export interface GatewayStartOptions {
  /** gateway.toml body; `state_dir` and `listen` are added unless present. */
  readonly configToml: string;
  readonly extraArgs?: readonly string[];
  /** Reuse a state directory (restart scenarios). */
  readonly stateDir?: string;
  readonly readyTimeoutMs?: number;
  /** The `shellgate-gateway` bin to run; default the workspace's (packaging tests run an installed one). */
  readonly gatewayBin?: string;
  /** Working directory of the gateway; default this process's. */
  readonly cwd?: string;
  /** Added to the gateway's environment (its drivers inherit it). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A real `shellgate-gateway` child process on a free port, with its log lines kept. It does
 * not outlive this process: SIGTERM or SIGINT here stops it first, and SIGKILL here closes
 * the stdin pipe it watches.
 */
export class GatewayProcess {
  readonly lines: string[] = [];
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly stateDir: string,
    readonly configPath: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
    });
    const collect = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') this.lines.push(line);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const cleanup = addTerminationCleanup(() => this.stop());
    child.once('exit', () => cleanup.forget());
  }

  address = '';

  /** Spawns the gateway; resolves once it logs "gateway ready". */
  static async start(options: GatewayStartOptions): Promise<GatewayProcess> {
    const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'sg-e2e-'));
    const configPath = join(stateDir, 'gateway.toml');
    // Only a top-level key counts: a driver table's own state_dir must not stop the gateway
    // getting this run's state dir (it fell back to the shared default, and concurrent runs
    // shared one gateway id and deleted each other's sandboxes).
    const topLevel = options.configToml.split(/^\[/m)[0] ?? '';
    const header = [
      /^state_dir\s*=/m.test(topLevel) ? '' : `state_dir = ${JSON.stringify(stateDir)}`,
      /^listen\s*=/m.test(topLevel) ? '' : 'listen = "127.0.0.1:0"',
    ].join('\n');
    writeFileSync(configPath, `${header}\n${options.configToml}\n`);
    const child = spawn(process.execPath, [options.gatewayBin ?? GATEWAY_BIN, '--config', configPath, ...(options.extraArgs ?? [])], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      env: { ...process.env, ...options.env, SHELLGATE_LOG_LEVEL: 'debug', [PARENT_WATCH_ENV]: PARENT_WATCH_STDIN },
    });
    const gateway = new GatewayProcess(child, stateDir, configPath);
    gateway.address = await gateway.waitForReady(options.readyTimeoutMs ?? 20_000);
    return gateway;
  }

  get exitCode(): number | null | undefined {
    return this.exitInfo?.code;
  }

  /** Resolves with the address from the "gateway ready" line, or rejects with the log. */
  private async waitForReady(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const line of this.lines) {
        const entry = parseJson(line);
        if (entry?.message === 'gateway ready' && typeof entry.address === 'string') return entry.address;
      }
      if (this.exitInfo !== undefined) throw new Error(`gateway exited (${JSON.stringify(this.exitInfo)}) before ready:\n${this.lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`gateway not ready after ${timeoutMs} ms:\n${this.lines.join('\n')}`);
  }

  client(): OpenShellClient {
    return new OpenShellClient(this.address, credentials.createInsecure());
  }

  /** Log entries (parsed JSON lines) matching a predicate. */
  entries(predicate: (entry: Record<string, unknown>) => boolean = () => true): Record<string, unknown>[] {
    return this.lines.map(parseJson).filter((e): e is Record<string, unknown> => e !== undefined && predicate(e));
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
    if (this.exitInfo === undefined) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resolves once the gateway exits; rejects with its log after `timeoutMs`. */
  async waitForExit(timeoutMs = 15_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`gateway still running ${timeoutMs} ms later:\n${this.lines.join('\n')}`)), timeoutMs);
    });
    try {
      await Promise.race([this.exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  removeState(): void {
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
