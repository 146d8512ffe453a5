import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Logger } from '../logging/logger.js';
import type { ComputeDriverImpl } from '../server/driver-impl.js';
import { serveDriver } from '../server/serve-driver.js';

export interface StartTestDriverOptions {
  readonly logger?: Logger;
  /** How long `close()` lets in-flight calls finish, in ms. Default 2000 (a test should not wait 10 s). */
  readonly drainTimeoutMs?: number;
  /** Parent of the private temp directory; default `os.tmpdir()`. Keep it short: socket paths max out at 107 bytes. */
  readonly tmpDir?: string;
}

/** A driver served in-process for a test; `close()` drains it and removes its temp directory. */
export interface TestDriverServer extends AsyncDisposable {
  readonly socketPath: string;
  close(): Promise<void>;
}

const DEFAULT_TEST_DRAIN_TIMEOUT_MS = 2_000;

/**
 * Serves `impl` with the same server a driver binary uses (`serveDriver`: hardening, error
 * mapping, drain) on a fresh socket in a new 0700 temp directory, so a driver's own tests
 * need no binary and no fixed path. Pair it with `FakeGateway.connect({ socketPath })`.
 */
export async function startTestDriver(impl: ComputeDriverImpl, options: StartTestDriverOptions = {}): Promise<TestDriverServer> {
  // mkdtemp creates the directory 0700, which is what prepareDriverSocket demands.
  const dir = await mkdtemp(path.join(options.tmpDir ?? tmpdir(), 'sg-driver-'));
  try {
    const server = await serveDriver(impl, {
      socketPath: path.join(dir, 'driver.sock'),
      logger: options.logger,
      drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_TEST_DRAIN_TIMEOUT_MS,
      driverName: 'test-driver',
    });
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= server.close().finally(() => rm(dir, { recursive: true, force: true }));
      return closing;
    };
    return { socketPath: server.socketPath, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
