import { resolve } from 'node:path';
import { connectDriver } from '../client/index.js';
import type { DriverClient } from '../client/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { ConformanceCheck } from './conformance-check.js';
import { CONFORMANCE_CHECKS, CONFORMANCE_CHECK_NAMES } from './conformance-checks.js';
import { ConformanceContext } from './conformance-context.js';
import { DEFAULT_DRIVER_CLAIMS } from './parse-driver-claims.js';
import type { DriverClaims } from './parse-driver-claims.js';

export interface RunConformanceOptions {
  /** The running driver's socket. */
  readonly socketPath: string;
  /** Image for test sandboxes; default the driver's `default_image`. */
  readonly image?: string;
  /** Default: everything claimed ({@link DEFAULT_DRIVER_CLAIMS}). */
  readonly claims?: DriverClaims;
  /** Shell command that restarts the driver on the same socket; enables the restart check. */
  readonly restartCommand?: string;
  /** Bound of each wait, call, reconnect and the restart command, in ms. Default 30000. */
  readonly timeoutMs?: number;
  /** Run only these checks (see {@link CONFORMANCE_CHECK_NAMES}). */
  readonly only?: readonly string[];
  /** Called as each result is known, e.g. to print it at once. */
  readonly onResult?: (result: CheckResult) => void;
}

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly durationMs: number;
  /** Why it failed or was skipped. */
  readonly reason?: string;
}

export interface ConformanceReport {
  readonly results: readonly CheckResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** The prefix in every sandbox id and name this run created. */
  readonly runId: string | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Runs the compute-driver contract suite against a running driver of any language and
 * reports one result per check. Every sandbox it creates carries a run-unique prefix and is
 * deleted at the end, even when checks fail; a failed cleanup is reported as a `cleanup` failure.
 */
export async function runConformance(options: RunConformanceOptions): Promise<ConformanceReport> {
  const checks = selectChecks(options.only);
  // gRPC reads `unix://relative/path` as a host name and waits for name resolution until the timeout.
  const socketPath = resolve(options.socketPath);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const results: CheckResult[] = [];
  const record = (result: CheckResult): void => {
    results.push(result);
    options.onResult?.(result);
  };
  let client: DriverClient;
  try {
    client = await connectDriver(socketPath, { connectTimeoutMs: timeoutMs, callTimeoutMs: timeoutMs });
  } catch (error) {
    record({ name: 'connect', status: 'fail', durationMs: 0, reason: describe(error) });
    return summarize(results, undefined);
  }
  const ctx = new ConformanceContext({
    socketPath,
    client,
    claims: options.claims ?? DEFAULT_DRIVER_CLAIMS,
    timeoutMs,
    image: options.image,
    restartCommand: options.restartCommand,
  });
  try {
    for (const check of checks) record(await runCheck(check, ctx));
  } finally {
    const startedAt = Date.now();
    const leftovers = await ctx.cleanup();
    if (leftovers.length > 0) {
      record({ name: 'cleanup', status: 'fail', durationMs: Date.now() - startedAt, reason: `could not delete ${leftovers.join(', ')}` });
    }
    await ctx.client.close();
  }
  return summarize(results, ctx.runId);
}

function selectChecks(only: readonly string[] | undefined): readonly ConformanceCheck[] {
  if (only === undefined || only.length === 0) return CONFORMANCE_CHECKS;
  const unknown = only.filter((name) => !CONFORMANCE_CHECK_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`unknown check ${unknown.map((name) => JSON.stringify(name)).join(', ')}`, {
      hint: `known checks: ${CONFORMANCE_CHECK_NAMES.join(', ')}`,
    });
  }
  return CONFORMANCE_CHECKS.filter((check) => only.includes(check.name));
}

async function runCheck(check: ConformanceCheck, ctx: ConformanceContext): Promise<CheckResult> {
  const skipReason = check.skipReason?.(ctx);
  if (skipReason !== undefined) return { name: check.name, status: 'skip', durationMs: 0, reason: skipReason };
  const startedAt = Date.now();
  // Every wait inside a check is bounded by timeoutMs; this outer bound catches a check
  // stuck on something unbounded, so one bad driver answer cannot hang the whole run.
  const limitMs = ctx.timeoutMs * 3;
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${limitMs} ms`)), limitMs);
  });
  try {
    await Promise.race([check.run(ctx), overrun]);
    return { name: check.name, status: 'pass', durationMs: Date.now() - startedAt };
  } catch (error) {
    return { name: check.name, status: 'fail', durationMs: Date.now() - startedAt, reason: describe(error) };
  } finally {
    clearTimeout(timer);
    await ctx.closeWatches();
  }
}

function summarize(results: readonly CheckResult[], runId: string | undefined): ConformanceReport {
  const count = (status: CheckStatus): number => results.filter((result) => result.status === status).length;
  return { results, passed: count('pass'), failed: count('fail'), skipped: count('skip'), runId };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // One line per check: a multi-line reason would break the report's shape.
  return message.replace(/\s*\n\s*/g, ' ');
}
