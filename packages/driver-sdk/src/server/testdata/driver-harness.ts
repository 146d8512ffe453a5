import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { ServiceError } from '@grpc/grpc-js';
import { credentials } from '@grpc/grpc-js';

import type { DriverSandbox } from '../../gen/compute_driver.js';
import { ComputeDriverClient } from '../../gen/compute_driver.js';
import type { ComputeDriverImpl } from '../driver-impl.js';
import type { RunningDriverServer } from '../serve-driver.js';
import { serveDriver } from '../serve-driver.js';
import { RecordingLogger } from '../../testing/recording-logger.js';

/** A token value tests look for in logs and error details; it must never show up. */
export const TEST_TOKEN = 'sandbox-token-d41d8cd98f00b204e980';

/** A driver served on a fresh private socket, a client dialled to it, and the server's log. */
export interface DriverHarness {
  readonly server: RunningDriverServer;
  readonly client: ComputeDriverClient;
  readonly logger: RecordingLogger;
  dispose(): Promise<void>;
}

const capabilities: ComputeDriverImpl = {
  getCapabilities: () => ({ driverName: 'test', driverVersion: '1.0.0', defaultImage: 'alpine', gatewayManagesLifecycle: false }),
};

let counter = 0;

/** Serves `impl` (GetCapabilities is filled in) under `root` as driver "test". */
export async function startDriverHarness(
  root: string,
  impl: Partial<ComputeDriverImpl>,
  drainTimeoutMs = 5000,
): Promise<DriverHarness> {
  const logger = new RecordingLogger();
  const socketPath = path.join(root, `s${counter++}`, 'driver.sock');
  const server = await serveDriver({ ...capabilities, ...impl }, { socketPath, logger, drainTimeoutMs, driverName: 'test' });
  const client = new ComputeDriverClient(`unix://${socketPath}`, credentials.createInsecure());
  return {
    server,
    client,
    logger,
    dispose: async () => {
      client.close();
      await server.close();
    },
  };
}

/** A private temp directory for one test file's sockets. */
export function makeSocketRoot(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'sg-serve-'));
}

/** Adapts a callback-style grpc-js unary call to a promise. */
export function callUnary<T>(invoke: (callback: (error: ServiceError | null, response: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    invoke((error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** A promise with its resolve function, for handing control between a handler and a test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

/** A sandbox whose spec carries {@link TEST_TOKEN}. */
export function sandboxWithToken(id: string): DriverSandbox {
  return {
    id,
    name: id,
    namespace: '',
    workspace: '',
    status: undefined,
    spec: {
      logLevel: 'info',
      environment: {},
      template: undefined,
      resourceRequirements: undefined,
      sandboxToken: TEST_TOKEN,
      command: [],
      tty: false,
    },
  };
}
