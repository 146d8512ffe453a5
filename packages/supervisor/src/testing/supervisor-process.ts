import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/main.js: the supervisor as `tsc` built it. */
export const SUPERVISOR_MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.js');

/**
 * A supervisor under test still running after this is killed, so every wait on `exited` ends
 * and the test fails instead of hanging; the longest suite keeps one for about 10 s.
 */
const LIFETIME_LIMIT_MS = 60_000;

export interface SupervisorProcessOptions {
  readonly endpoint: string;
  readonly sandboxId?: string;
  readonly token?: string;
  readonly args?: readonly string[];
  /** Extra or replacing variables; `undefined` removes one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** argv before the supervisor's own args; default: this node running dist/main.js. */
  readonly launcher?: readonly string[];
  /** Start from an environment with only the OPENSHELL_* variables (as in a bare image). */
  readonly isEnvironmentEmpty?: boolean;
}

/** A real supervisor process under test, with its output captured. */
export class SupervisorProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly child: ChildProcess,
    readonly tokenFile: string,
    readonly startedAt: number,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (text: string) => (this.stdout += text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    this.exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  }

  static start(options: SupervisorProcessOptions): SupervisorProcess {
    const dir = mkdtempSync(join(tmpdir(), 'supervisor-test-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${options.token ?? 'test-token'}\n`, { mode: 0o600 });
    const env: Record<string, string | undefined> = {
      ...(options.isEnvironmentEmpty === true ? { PATH: '/usr/local/bin:/usr/bin:/bin' } : process.env),
      OPENSHELL_ENDPOINT: options.endpoint,
      OPENSHELL_SANDBOX_ID: options.sandboxId ?? 'sandbox-1',
      OPENSHELL_SANDBOX: 'test-sandbox',
      OPENSHELL_SANDBOX_TOKEN_FILE: tokenFile,
      OPENSHELL_LOG_LEVEL: 'debug',
      ...options.env,
    };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const [command, ...launcherArgs] = options.launcher ?? [process.execPath, SUPERVISOR_MAIN];
    const child = spawn(command as string, [...launcherArgs, ...(options.args ?? ['--'])], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: LIFETIME_LIMIT_MS,
      killSignal: 'SIGKILL',
    });
    return new SupervisorProcess(child, tokenFile, Date.now());
  }

  rotateToken(token: string): void {
    writeFileSync(this.tokenFile, `${token}\n`);
  }

  /** Stops it if still running (SIGKILL), for test cleanup. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
