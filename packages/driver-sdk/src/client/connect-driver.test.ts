import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { ServerWritableStream, UntypedServiceImplementation, sendUnaryData } from '@grpc/grpc-js';
import { ComputeDriverService } from '../gen/compute_driver.js';
import type { DriverSandbox, WatchSandboxesEvent } from '../gen/compute_driver.js';
import { ErrorCode, isShellgateError } from '../errors.js';
import { connectDriver } from './connect-driver.js';
import { isGrpcServiceError } from './to-driver-call-error.js';

const CAPABILITIES = { driverName: 'test', driverVersion: '1.2.3', defaultImage: 'img', gatewayManagesLifecycle: false };

type UnaryHandler = (call: { request: unknown }, callback: sendUnaryData<unknown>) => void;
type IdCall = { request: { sandboxId: string } };

async function startServer(socketPath: string, handlers: Record<string, unknown>): Promise<Server> {
  const server = new Server();
  const base: Record<string, UnaryHandler> = {
    getCapabilities: (_request, callback) => callback(null, CAPABILITIES),
  };
  server.addService(ComputeDriverService, { ...base, ...handlers } as UntypedServiceImplementation);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socketPath}`, ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  return server;
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sg-client-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function fail(code: status, details: string): UnaryHandler {
  return (_request, callback) => callback({ code, details, name: 'Error', message: details });
}

function sandbox(id: string): DriverSandbox {
  return { id, name: id, namespace: '', spec: undefined, status: undefined, workspace: '' };
}

/** Every test here waits on a socket or a child process: a bound names the one that hangs. */
const TEST_TIMEOUT_MS = 60_000;

void test('a socket that appears late is still connected', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const socketPath = join(dir, 'late.sock');
    const connecting = connectDriver(socketPath, { connectTimeoutMs: 10_000, retryIntervalMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const server = await startServer(socketPath, {});
    try {
      const client = await connecting;
      assert.deepEqual(client.capabilities, CAPABILITIES);
      assert.equal(client.socketPath, socketPath);
      await client.close();
      await client.close();
    } finally {
      server.forceShutdown();
    }
  }));

void test('connect gives up after connectTimeoutMs with an UnavailableError naming the socket', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const socketPath = join(dir, 'never.sock');
    const startedAt = Date.now();
    const error = await connectDriver(socketPath, { connectTimeoutMs: 500, retryIntervalMs: 50 }).then(
      () => assert.fail('connect should fail'),
      (caught: unknown) => caught,
    );
    assert.ok(isShellgateError(error));
    assert.equal(error.code, ErrorCode.Unavailable);
    assert.equal(error.name, 'UnavailableError');
    assert.match(error.message, new RegExp(`driver socket ${socketPath} did not answer GetCapabilities within \\d+ ms`));
    assert.match(error.message, /last error: GetCapabilities failed/);
    assert.ok(error.hint?.includes('--bind-socket'));
    assert.ok((error.details?.attempts as number) > 2, 'retried several times');
    assert.ok(Date.now() - startedAt < 3_000);
  }));

void test('connect fails at once when the driver answers with a non-retryable error', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const socketPath = join(dir, 'broken.sock');
    const server = await startServer(socketPath, { getCapabilities: fail(status.UNIMPLEMENTED, 'nope') });
    try {
      await assert.rejects(connectDriver(socketPath, { connectTimeoutMs: 10_000 }), { code: ErrorCode.Unimplemented });
    } finally {
      server.forceShutdown();
    }
  }));

void test('connect honours its abort signal', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(connectDriver(join(dir, 'none.sock'), { signal: controller.signal, retryIntervalMs: 20 }), {
      code: ErrorCode.Cancelled,
    });
  }));

void test('gRPC status codes become ShellgateError codes with the grpc error as cause', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const socketPath = join(dir, 'codes.sock');
    const server = await startServer(socketPath, {
      getSandbox: fail(status.NOT_FOUND, 'sandbox "x" not found'),
      createSandbox: fail(status.ALREADY_EXISTS, 'exists'),
      validateSandboxCreate: fail(status.INVALID_ARGUMENT, 'bad name'),
      stopSandbox: fail(status.FAILED_PRECONDITION, 'not running'),
      startSandbox: fail(status.DATA_LOSS, 'outside our set'),
    });
    const client = await connectDriver(socketPath);
    try {
      const cases: Array<[() => Promise<unknown>, ErrorCode, string]> = [
        [() => client.getSandbox('x'), ErrorCode.NotFound, 'GetSandbox failed: sandbox "x" not found'],
        [() => client.createSandbox(sandbox('x')), ErrorCode.AlreadyExists, 'CreateSandbox failed: exists'],
        [() => client.validateSandboxCreate(sandbox('x')), ErrorCode.InvalidArgument, 'ValidateSandboxCreate failed: bad name'],
        [() => client.stopSandbox('x'), ErrorCode.FailedPrecondition, 'StopSandbox failed: not running'],
        [() => client.startSandbox('x'), ErrorCode.Internal, 'StartSandbox failed: outside our set'],
        [() => client.ensureWorkspace('w'), ErrorCode.Unimplemented, ''],
      ];
      for (const [call, code, message] of cases) {
        const error = await call().then(() => assert.fail(`expected ${code}`), (caught: unknown) => caught);
        assert.ok(isShellgateError(error), `${code} is a ShellgateError`);
        assert.equal(error.code, code);
        if (message !== '') assert.equal(error.message, message);
        assert.ok(isGrpcServiceError(error.cause), 'the grpc error is kept as cause');
      }
    } finally {
      await client.close();
      server.forceShutdown();
    }
  }));

void test('unary calls answer typed values', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const socketPath = join(dir, 'values.sock');
    const server = await startServer(socketPath, {
      getSandbox: (call: IdCall, callback: sendUnaryData<unknown>) =>
        callback(null, { sandbox: sandbox(call.request.sandboxId) }),
      listSandboxes: (_request: unknown, callback: sendUnaryData<unknown>) =>
        callback(null, { sandboxes: [sandbox('a'), sandbox('b')] }),
      deleteSandbox: (call: IdCall, callback: sendUnaryData<unknown>) =>
        callback(null, { deleted: call.request.sandboxId === 'known' }),
    });
    const client = await connectDriver(socketPath);
    try {
      assert.equal((await client.getSandbox('s1')).id, 's1');
      assert.deepEqual((await client.listSandboxes()).map((s) => s.id), ['a', 'b']);
      assert.equal(await client.deleteSandbox('known'), true);
      assert.equal(await client.deleteSandbox('other'), false);
      assert.equal((await client.getCapabilities()).driverVersion, '1.2.3');
    } finally {
      await client.close();
      server.forceShutdown();
    }
    await assert.rejects(client.listSandboxes(), { code: ErrorCode.FailedPrecondition });
  }));

void test('every call has a deadline, and a signal cancels it', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const socketPath = join(dir, 'slow.sock');
    const never = (): void => undefined;
    const server = await startServer(socketPath, { getSandbox: never, listSandboxes: never });
    const client = await connectDriver(socketPath, { callTimeoutMs: 200 });
    try {
      let startedAt = Date.now();
      await assert.rejects(client.getSandbox('x'), { code: ErrorCode.DeadlineExceeded });
      assert.ok(Date.now() - startedAt < 2_000);
      startedAt = Date.now();
      await assert.rejects(client.listSandboxes({ timeoutMs: 50 }), (error: unknown) => {
        assert.ok(isShellgateError(error));
        assert.equal(error.code, ErrorCode.DeadlineExceeded);
        assert.match(error.hint ?? '', /within 50 ms/);
        return true;
      });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(client.getSandbox('x', { signal: controller.signal, timeoutMs: 10_000 }), {
        code: ErrorCode.Cancelled,
      });
      await assert.rejects(client.getSandbox('x', { signal: AbortSignal.abort() }), { code: ErrorCode.Cancelled });
    } finally {
      await client.close();
      server.forceShutdown();
    }
  }));

void test('watchSandboxes streams events, surfaces errors as ShellgateError and ends quietly on abort', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const socketPath = join(dir, 'watch.sock');
    let mode: 'fail' | 'hang' = 'fail';
    const server = await startServer(socketPath, {
      watchSandboxes: (call: ServerWritableStream<unknown, WatchSandboxesEvent>) => {
        call.write({ payload: { $case: 'sandbox', sandbox: { sandbox: sandbox('a') } } });
        call.write({ payload: { $case: 'deleted', deleted: { sandboxId: 'b' } } });
        if (mode === 'fail') call.emit('error', { code: status.ABORTED, details: 'lagged' });
      },
    });
    const client = await connectDriver(socketPath);
    try {
      const seen: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const event of client.watchSandboxes()) seen.push(event.payload?.$case ?? 'none');
        })(),
        (error: unknown) => isShellgateError(error) && error.code === ErrorCode.Aborted,
      );
      assert.deepEqual(seen, ['sandbox', 'deleted']);

      mode = 'hang';
      const controller = new AbortController();
      const events: string[] = [];
      for await (const event of client.watchSandboxes(controller.signal)) {
        events.push(event.payload?.$case ?? 'none');
        if (events.length === 2) controller.abort();
      }
      assert.deepEqual(events, ['sandbox', 'deleted']);
    } finally {
      await client.close();
      server.forceShutdown();
    }
  }));

void test('a call observer sends its metadata with each unary call and hears how the call ended', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const socketPath = join(dir, 'observed.sock');
    const seen: string[] = [];
    const server = await startServer(socketPath, {
      getSandbox: (call: { metadata: { get(key: string): unknown[] } }, callback: sendUnaryData<unknown>) => {
        seen.push(String(call.metadata.get('traceparent')[0]));
        callback({ code: status.NOT_FOUND, details: 'no such sandbox', name: 'Error', message: 'no such sandbox' });
      },
    });
    const ended: Array<[string, ErrorCode | undefined]> = [];
    const callObserver = {
      startCall: (rpc: string) => ({ metadata: { traceparent: `for-${rpc}` }, end: (error: { code: ErrorCode } | undefined) => ended.push([rpc, error?.code]) }),
    };
    try {
      const client = await connectDriver(socketPath, { connectTimeoutMs: 10_000, callObserver });
      await assert.rejects(client.getSandbox('missing'), (error: unknown) => isShellgateError(error) && error.code === ErrorCode.NotFound);
      assert.deepEqual(seen, ['for-GetSandbox']);
      assert.deepEqual(ended, [['GetCapabilities', undefined], ['GetSandbox', ErrorCode.NotFound]]);
      await client.close();
    } finally {
      server.forceShutdown();
    }
  }),
);
