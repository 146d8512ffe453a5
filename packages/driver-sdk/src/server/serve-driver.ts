import { Server, ServerCredentials } from '@grpc/grpc-js';

import { ComputeDriverService } from '../gen/compute_driver.js';
import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import { SocketListenError } from '../socket/errors.js';
import type { DriverSocket, PrepareDriverSocketOptions } from '../socket/prepare-driver-socket.js';
import { prepareDriverSocket } from '../socket/prepare-driver-socket.js';
import { CallTracker } from './call-tracker.js';
import { createDrainError, createRpcHandlers } from './create-rpc-handlers.js';
import { MAX_RECEIVE_MESSAGE_BYTES, withLenientDecoding } from './lenient-decoding.js';
import type { ComputeDriverImpl } from './driver-impl.js';

/** Options of {@link serveDriver}. */
export interface ServeDriverOptions {
  /** Absolute path of the Unix socket to serve on; see `prepareDriverSocket` for the checks. */
  readonly socketPath: string;
  readonly logger?: Logger;
  /** How long `close()` lets in-flight calls finish before cancelling them; default 10000. */
  readonly drainTimeoutMs?: number;
  /** Named in UNIMPLEMENTED answers; default "driver". */
  readonly driverName?: string;
  /** Seams for socket hardening (fs, uid), for tests. */
  readonly socketOptions?: Omit<PrepareDriverSocketOptions, 'logger'>;
}

/** A driver being served. `close()` drains and is idempotent; `await using` closes it too. */
export interface RunningDriverServer extends AsyncDisposable {
  readonly socketPath: string;
  close(): Promise<void>;
}

const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/**
 * Serves `impl` as `openshell.compute.v1.ComputeDriver` over gRPC on a hardened Unix socket.
 * Resolves once the socket is listening and restricted to 0600.
 */
export async function serveDriver(impl: ComputeDriverImpl, options: ServeDriverOptions): Promise<RunningDriverServer> {
  const logger = (options.logger ?? silentLogger).child({ component: 'driver-server' });
  const socket = await prepareDriverSocket(options.socketPath, { ...options.socketOptions, logger });
  const tracker = new CallTracker();
  const server = new Server({ 'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES });
  server.addService(
    withLenientDecoding(ComputeDriverService),
    createRpcHandlers(impl, { driverName: options.driverName ?? 'driver', logger, tracker }),
  );
  await listen(server, socket);
  logger.debug('listening', { socketPath: socket.path });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= drainAndClose({
      server,
      socket,
      tracker,
      impl,
      logger,
      drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
    });
    return closing;
  };
  return { socketPath: socket.path, close, [Symbol.asyncDispose]: close };
}

async function listen(server: Server, socket: DriverSocket): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(`unix://${socket.path}`, ServerCredentials.createInsecure(), (error) =>
        error ? reject(error) : resolve(),
      );
    });
    await socket.secure();
  } catch (error) {
    server.forceShutdown();
    await socket.release();
    throw new SocketListenError(socket.path, error);
  }
}

interface DrainParts {
  readonly server: Server;
  readonly socket: DriverSocket;
  readonly tracker: CallTracker;
  readonly impl: ComputeDriverImpl;
  readonly logger: Logger;
  readonly drainTimeoutMs: number;
}

// Watch streams are ended first, not last: they never finish on their own, and grpc-js's
// graceful shutdown waits for every open stream, so unary calls could not drain around them.
async function drainAndClose(parts: DrainParts): Promise<void> {
  const { server, socket, tracker, impl, logger } = parts;
  logger.info('draining', { inFlightCalls: tracker.size, drainTimeoutMs: parts.drainTimeoutMs });
  tracker.startDrain();
  tracker.abort(createDrainError(), 'stream');
  const shutdown = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  // The tracker also sees handlers still running for callers that already left, which
  // grpc-js's graceful shutdown does not wait for.
  const deadlineMs = Date.now() + parts.drainTimeoutMs;
  const isDrained =
    (await tracker.waitForIdle(parts.drainTimeoutMs)) && (await settlesWithin(shutdown, deadlineMs - Date.now()));
  if (!isDrained) {
    logger.warn('drain timed out; cancelling the calls still running', { inFlightCalls: tracker.size });
    tracker.abort(createDrainError());
  }
  server.forceShutdown();
  try {
    await impl.close?.();
  } catch (error) {
    logger.error('driver close() failed', { error });
  }
  await socket.release();
  logger.info('closed');
}

async function settlesWithin(promise: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
