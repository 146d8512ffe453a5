import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, ShellgateError, UnavailableError, isShellgateError } from '../errors.js';
import { silentLogger } from '../logging/logger.js';
import type { Logger } from '../logging/logger.js';
import { DriverChannel } from './driver-channel.js';
import type { DriverCallObserver } from './driver-channel.js';
import { createDriverClient } from './driver-client.js';
import type { DriverClient } from './driver-client.js';

/** Options of {@link connectDriver}; the defaults are the upstream numbers. */
export interface ConnectDriverOptions {
  /** How long to keep dialing before giving up, in ms. Default 30000 (upstream: 30 s). */
  readonly connectTimeoutMs?: number;
  /** Pause between dial attempts, in ms. Default 250 (upstream: 250 ms). */
  readonly retryIntervalMs?: number;
  /** Default deadline of every unary call on the returned client, in ms. Default 30000. */
  readonly callTimeoutMs?: number;
  readonly logger?: Logger;
  /** Aborts the dialing; the returned client's calls take their own signals. */
  readonly signal?: AbortSignal;
  /** Sees every unary call of the returned client (the gateway's optional tracing). */
  readonly callObserver?: DriverCallObserver | undefined;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_INTERVAL_MS = 250;
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** Codes that mean "nobody answers yet"; anything else means a driver answered, badly. */
const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set([ErrorCode.Unavailable, ErrorCode.DeadlineExceeded]);

/**
 * Dials a compute driver on `unix://socketPath` and resolves once it answers
 * GetCapabilities. The socket may appear late: the dial is retried every
 * `retryIntervalMs` until `connectTimeoutMs` has passed, then an UnavailableError names
 * the path, the wait and the last failure. A driver that answers with an error other
 * than UNAVAILABLE/DEADLINE_EXCEEDED fails the connect at once with that error.
 */
export async function connectDriver(socketPath: string, options: ConnectDriverOptions = {}): Promise<DriverClient> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const retryIntervalMs = options.retryIntervalMs ?? DEFAULT_RETRY_INTERVAL_MS;
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const logger = (options.logger ?? silentLogger).child({ component: 'driver-client', socketPath });
  const { signal } = options;
  const startedAt = Date.now();
  const deadline = startedAt + connectTimeoutMs;
  let attempts = 0;
  let lastError: unknown;

  for (;;) {
    throwIfAborted(signal, socketPath);
    attempts += 1;
    // A fresh channel per attempt: grpc-js would otherwise sit out its own reconnect
    // backoff instead of dialing on our cadence.
    const channel = new DriverChannel(socketPath, { callTimeoutMs, retryIntervalMs, callObserver: options.callObserver });
    const attemptTimeoutMs = Math.max(1, Math.min(deadline - Date.now(), callTimeoutMs));
    try {
      const capabilities = await channel.callUnary('getCapabilities', {}, { timeoutMs: attemptTimeoutMs, signal });
      logger.debug('driver answered GetCapabilities', { attempts, driverName: capabilities.driverName });
      return createDriverClient(channel, capabilities);
    } catch (error) {
      channel.close();
      throwIfAborted(signal, socketPath);
      if (!isShellgateError(error) || !RETRYABLE_CODES.has(error.code)) throw error;
      lastError = error;
      logger.debug('driver not answering yet', { attempts, reason: error.message });
    }
    const pauseMs = Math.min(retryIntervalMs, deadline - Date.now());
    if (pauseMs <= 0) break;
    await sleep(pauseMs, undefined, { signal }).catch(() => undefined);
  }
  throw connectTimeoutError(socketPath, Date.now() - startedAt, attempts, lastError);
}

function connectTimeoutError(socketPath: string, waitedMs: number, attempts: number, lastError: unknown): UnavailableError {
  const last = lastError instanceof Error ? lastError.message : String(lastError);
  return new UnavailableError(
    `driver socket ${socketPath} did not answer GetCapabilities within ${waitedMs} ms (${attempts} attempts); last error: ${last}`,
    {
      hint: 'check that the driver process is running and was started with --bind-socket at this path, that this user may open the socket, or raise connectTimeoutMs for a slow driver',
      details: { socketPath, waitedMs, attempts },
      cause: lastError,
    },
  );
}

function throwIfAborted(signal: AbortSignal | undefined, socketPath: string): void {
  if (signal?.aborted !== true) return;
  throw new ShellgateError(ErrorCode.Cancelled, `connecting to driver socket ${socketPath} was cancelled`, {
    details: { socketPath },
    cause: signal.reason,
  });
}
