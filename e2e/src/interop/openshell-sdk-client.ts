// Upstream's Python SDK as a test sees it: a venv made by scripts/tools/openshell-sdk.sh runs
// e2e/python/openshell_sdk_driver.py, which makes one SDK call per JSON line and answers with
// its result or its gRPC error. One driver process per connection setting (TLS, token).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../harness/paths.js';

const run = promisify(execFile);
/**
 * A first run downloads the SDK and grpcio wheels from PyPI (20 s here); bounded well inside
 * the 5-minute bound scripts/test.sh puts on a non-engine file.
 */
export const SDK_INSTALL_TIMEOUT_MS = 3 * 60_000;
const DRIVER_SCRIPT = join(REPO_ROOT, 'e2e', 'python', 'openshell_sdk_driver.py');
const READY_TIMEOUT_MS = 30_000;
const DEFAULT_CALL_TIMEOUT_MS = 60_000;

/** The release lines scripts/tools/openshell-sdk.sh installs. */
export type SdkLine = '0.0.116' | '0.1';

/** Path of the python of the venv for `line`, made on first use. Rejects (never skips) without python3. */
export async function installSdk(line: SdkLine): Promise<string> {
  const script = join(REPO_ROOT, 'scripts', 'tools', 'openshell-sdk.sh');
  const { stdout } = await run('bash', [script, line], { timeout: SDK_INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

export interface SdkConnection {
  readonly endpoint: string;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly token?: string;
  /** The SDK's per-call timeout (default 20 s). */
  readonly timeoutSeconds?: number;
  /** XDG_CONFIG_HOME of the driver, where `openshell.Sandbox` finds its gateway (see {@link writeGatewayConfig}). */
  readonly configHome?: string;
}

/** A failed SDK call: the gRPC status name (`NOT_FOUND`) or null for an SDK-side error. */
export interface SdkError {
  readonly type: string;
  readonly code: string | null;
  readonly details: string;
}

type Reply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: SdkError };

/** Thrown by `SdkClient.call` when the SDK call failed; `sdkError` says how. */
export class SdkCallError extends Error {
  constructor(
    readonly call: string,
    readonly sdkError: SdkError,
  ) {
    super(`openshell SDK ${call} failed: ${sdkError.type} ${sdkError.code ?? ''} ${sdkError.details}`);
  }
}

/** One driver process: SDK calls in order, each bounded in time. */
export class SdkClient {
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private readonly stderr: string[] = [];
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString('utf8')));
    child.once('exit', (code) => {
      this.exited = true;
      // A driver that died answers nothing more: fail its calls now, not at their time bound.
      for (const call of this.pending.values()) call.reject(new Error(`the SDK driver exited ${code}:\n${this.stderr.join('')}`));
      this.pending.clear();
    });
  }

  /** Starts the driver with the venv's `python`; resolves with it and the SDK version it runs. */
  static async start(python: string, connection: SdkConnection): Promise<{ client: SdkClient; sdkVersion: string }> {
    const args = [DRIVER_SCRIPT, '--endpoint', connection.endpoint, '--timeout', String(connection.timeoutSeconds ?? 20)];
    for (const [flag, value] of [['--ca', connection.caFile], ['--cert', connection.certFile], ['--key', connection.keyFile], ['--token', connection.token]] as const) {
      if (value !== undefined) args.push(flag, value);
    }
    const env = { ...process.env, PYTHONUNBUFFERED: '1', ...(connection.configHome !== undefined && { XDG_CONFIG_HOME: connection.configHome }) };
    const child = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const client = new SdkClient(child);
    const lines = createInterface({ input: child.stdout });
    const ready = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the SDK driver did not start in ${READY_TIMEOUT_MS} ms:\n${client.stderr.join('')}`)), READY_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the SDK driver exited ${code} before ready:\n${client.stderr.join('')}`));
      });
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { sdk_version: string }).sdk_version);
      });
    });
    const sdkVersion = await ready;
    lines.on('line', (line) => client.settle(JSON.parse(line) as Reply));
    return { client, sdkVersion };
  }

  private settle(reply: Reply): void {
    this.pending.get(reply.id)?.resolve(reply);
    this.pending.delete(reply.id);
  }

  /** Makes SDK call `call`; resolves with its result, rejects with an `SdkCallError`. */
  async call<T = unknown>(call: string, args: Record<string, unknown> = {}, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<T> {
    if (this.exited) throw new Error(`the SDK driver has exited:\n${this.stderr.join('')}`);
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<Reply>((resolve, reject) => {
      timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`openshell SDK ${call} gave no answer in ${timeoutMs} ms:\n${this.stderr.join('')}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject });
      this.child.stdin!.write(`${JSON.stringify({ id, call, args })}\n`);
    }).finally(() => clearTimeout(timer));
    if (!reply.ok) throw new SdkCallError(call, reply.error);
    return reply.result as T;
  }

  /** Resolves with the error of a call that must fail; rejects if it succeeded. */
  async callError(call: string, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<SdkError> {
    try {
      const result = await this.call(call, args, timeoutMs);
      throw new Error(`openshell SDK ${call} was expected to fail but returned ${JSON.stringify(result)}`);
    } catch (error) {
      if (error instanceof SdkCallError) return error.sdkError;
      throw error;
    }
  }

  /** Ends the driver (stdin closed; SIGKILL after 5 s). */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Writes the gateway directory upstream's CLI leaves for `SandboxClient.from_active_cluster`
 * and `openshell.Sandbox`: `metadata.json` with the endpoint, the mTLS files for https, and the
 * bearer token as the OIDC token bundle the SDK reads (no `expires_at`: the SDK treats it as
 * fresh and never asks an identity provider). Returns the XDG config home to run the SDK with.
 */
export function writeGatewayConfig(configHome: string, gatewayName: string, options: { readonly url: string; readonly token: string; readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string }): string {
  const dir = join(configHome, 'openshell', 'gateways', gatewayName);
  mkdirSync(join(dir, 'mtls'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ name: gatewayName, gateway_endpoint: options.url, auth_mode: 'oidc' }));
  writeFileSync(join(dir, 'oidc_token.json'), JSON.stringify({ access_token: options.token }), { mode: 0o600 });
  for (const [file, name] of [[options.caFile, 'ca.crt'], [options.certFile, 'tls.crt'], [options.keyFile, 'tls.key']] as const) {
    if (file !== undefined) copyFileSync(file, join(dir, 'mtls', name));
  }
  return configHome;
}

/** A SandboxRef as the driver returns it (the SDK's dataclass). */
export interface SdkSandboxRef {
  readonly id: string;
  readonly name: string;
  readonly workspace: string;
  readonly status: { readonly phase: number; readonly exit_code: number | null };
  readonly labels: Record<string, string>;
}

/** An ExecResult as the driver returns it. */
export interface SdkExecResult {
  readonly exit_code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Upstream's SandboxPhase numbers (SDK `openshell_pb2.SANDBOX_PHASE_*`). */
export const SDK_PHASE = { PROVISIONING: 1, READY: 2, ERROR: 3, STOPPED: 7 } as const;
