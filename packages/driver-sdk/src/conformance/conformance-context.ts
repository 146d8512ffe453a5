import { randomBytes } from 'node:crypto';
import { connectDriver } from '../client/index.js';
import type { DriverClient } from '../client/index.js';
import { isShellgateError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { DriverSandbox } from '../gen/compute_driver.js';
import type { DriverClaims } from './parse-driver-claims.js';
import { WatchRecorder } from './watch-recorder.js';

export interface ConformanceContextOptions {
  readonly socketPath: string;
  readonly client: DriverClient;
  readonly claims: DriverClaims;
  /** Bound of every wait and call, in ms. */
  readonly timeoutMs: number;
  readonly image: string | undefined;
  readonly restartCommand: string | undefined;
}

const POLL_INTERVAL_MS = 100;

/**
 * What every check works with: the client (replaced after a restart), run-unique sandbox
 * ids and names, bounded waits, and a record of everything created so the run can clean
 * up after itself even when checks fail.
 */
export class ConformanceContext {
  readonly socketPath: string;
  readonly claims: DriverClaims;
  readonly timeoutMs: number;
  readonly restartCommand: string | undefined;
  /** Six lowercase characters in every id and name of this run, e.g. `sgc-k3x9qa-4`. */
  readonly runId: string;
  readonly #image: string | undefined;
  /** Ids created by this run and not (knowingly) deleted since. */
  readonly liveSandboxIds = new Set<string>();
  readonly #everCreated = new Set<string>();
  readonly #watches = new Set<WatchRecorder>();
  #client: DriverClient;
  #counter = 0;

  constructor(options: ConformanceContextOptions) {
    this.socketPath = options.socketPath;
    this.#client = options.client;
    this.claims = options.claims;
    this.timeoutMs = options.timeoutMs;
    this.#image = options.image;
    this.restartCommand = options.restartCommand;
    // Names must be DNS labels that start with a letter and fit in 19 characters.
    this.runId = `r${randomBytes(4).toString('hex').slice(0, 5)}`;
  }

  get client(): DriverClient {
    return this.#client;
  }

  /**
   * A valid sandbox this run owns; `label` makes its id say which check made it. It carries a
   * sandbox_token as every gateway sends one (upstream drivers rightly refuse a create without).
   */
  newSandbox(label: string): DriverSandbox {
    this.#counter += 1;
    return {
      id: `sgc-${this.runId}-${label}-${this.#counter}`,
      name: `sgc-${this.runId}-${this.#counter}`,
      namespace: '',
      workspace: '',
      status: undefined,
      spec: {
        logLevel: 'info',
        environment: { SHELLGATE_CONFORMANCE_RUN: this.runId },
        template: {
          image: this.#image ?? this.#client.capabilities.defaultImage,
          agentSocketPath: '',
          labels: {},
          environment: {},
          resources: undefined,
          platformConfig: undefined,
          driverConfig: undefined,
        },
        resourceRequirements: undefined,
        sandboxToken: `sgc-token-${this.runId}-${this.#counter}-${randomBytes(8).toString('hex')}`,
        command: [],
        tty: false,
      },
    };
  }

  /** Creates a fresh sandbox and records it for cleanup. */
  async create(label: string): Promise<DriverSandbox> {
    const sandbox = this.newSandbox(label);
    await this.createExact(sandbox);
    return sandbox;
  }

  /** Creates exactly this sandbox and records it for cleanup. */
  async createExact(sandbox: DriverSandbox): Promise<void> {
    this.#everCreated.add(sandbox.id);
    await this.#client.createSandbox(sandbox);
    this.liveSandboxIds.add(sandbox.id);
  }

  async delete(sandboxId: string): Promise<boolean> {
    const deleted = await this.#client.deleteSandbox(sandboxId);
    this.liveSandboxIds.delete(sandboxId);
    return deleted;
  }

  /** An id no driver has seen. */
  unknownId(): string {
    return `sgc-${this.runId}-missing-${randomBytes(4).toString('hex')}`;
  }

  /** Opens a watch that is closed after the check. */
  openWatch(): WatchRecorder {
    const watch = new WatchRecorder(this.#client);
    this.#watches.add(watch);
    return watch;
  }

  async closeWatches(): Promise<void> {
    const watches = [...this.#watches];
    this.#watches.clear();
    await Promise.all(watches.map((watch) => watch.close()));
  }

  /** Polls `probe` until it returns true, or fails naming `what` after `timeoutMs`. */
  async waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = this.timeoutMs): Promise<void> {
    const startedAt = Date.now();
    let lastError: unknown;
    for (;;) {
      try {
        if (await probe()) return;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() - startedAt >= timeoutMs) {
        const last = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  /** Closes the client and dials the socket again (after a driver restart). */
  async reconnect(): Promise<void> {
    await this.#client.close();
    this.#client = await connectDriver(this.socketPath, {
      connectTimeoutMs: this.timeoutMs,
      callTimeoutMs: this.timeoutMs,
    });
  }

  /** Deletes everything this run created; returns the ids it could not delete. */
  async cleanup(): Promise<string[]> {
    await this.closeWatches();
    const failed: string[] = [];
    await Promise.all(
      [...this.#everCreated].map(async (sandboxId) => {
        try {
          await this.#client.deleteSandbox(sandboxId);
          this.liveSandboxIds.delete(sandboxId);
        } catch (error) {
          failed.push(`${sandboxId} (${error instanceof Error ? error.message : String(error)})`);
        }
      }),
    );
    return failed;
  }
}

/**
 * Runs `call` and fails unless it rejects with one of `codes`. Returns the code seen.
 */
export async function expectErrorCode(what: string, call: Promise<unknown>, codes: readonly ErrorCode[]): Promise<ErrorCode> {
  const expected = codes.join(' or ');
  let outcome: unknown;
  let hasFailed = false;
  try {
    await call;
  } catch (error) {
    outcome = error;
    hasFailed = true;
  }
  if (!hasFailed) throw new Error(`${what} answered OK; expected ${expected}`);
  if (!isShellgateError(outcome)) throw outcome instanceof Error ? outcome : new Error(String(outcome));
  if (!codes.includes(outcome.code)) throw new Error(`${what} answered ${outcome.code} (${outcome.message}); expected ${expected}`);
  return outcome.code;
}

/** Fails with `message` unless `condition` holds. */
export function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
