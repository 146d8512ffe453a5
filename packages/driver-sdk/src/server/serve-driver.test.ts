import assert from 'node:assert/strict';
import { once } from 'node:events';
import { promises as fsp } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import type { ServiceError } from '@grpc/grpc-js';
import { Metadata, status } from '@grpc/grpc-js';

import {
  FailedPreconditionError,
  InvalidArgumentError,
  SandboxAlreadyExistsError,
  SandboxNotFoundError,
  isShellgateError,
} from '../errors.js';
import { ComputeDriverService, DriverSandboxTemplate } from '../gen/compute_driver.js';
import type { GetCapabilitiesResponse, ListSandboxesResponse } from '../gen/compute_driver.js';
import type { CallContext, ComputeDriverImpl } from './driver-impl.js';
import type { DriverHarness } from './testdata/driver-harness.js';
import {
  TEST_TOKEN as TOKEN,
  callUnary as call,
  deferred,
  makeSocketRoot,
  sandboxWithToken,
  startDriverHarness,
} from './testdata/driver-harness.js';

let root = '';
before(async () => {
  root = await makeSocketRoot();
});
after(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

function start(impl: Partial<ComputeDriverImpl>, drainTimeoutMs?: number): Promise<DriverHarness> {
  return startDriverHarness(root, impl, drainTimeoutMs);
}

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('serveDriver', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('answers GetCapabilities on a 0600 socket and unlinks it on close', async () => {
    const harness = await start({});
    try {
      const response = await call<GetCapabilitiesResponse>((cb) => harness.client.getCapabilities({}, cb));
      assert.equal(response.driverName, 'test');
      assert.equal((await fsp.stat(harness.server.socketPath)).mode & 0o777, 0o600);
    } finally {
      await harness.dispose();
    }
    await assert.rejects(fsp.lstat(harness.server.socketPath), { code: 'ENOENT' });
  });

  it('answers UNIMPLEMENTED, naming the RPC and the driver, for a method the impl lacks', async () => {
    const harness = await start({});
    try {
      await assert.rejects(call((cb) => harness.client.stopSandbox({ sandboxId: 'a', sandboxName: '' }, cb)), {
        code: status.UNIMPLEMENTED,
        details: 'StopSandbox is not implemented by driver "test"',
      });
      const stream = harness.client.watchSandboxes({});
      stream.on('data', () => assert.fail('no events expected'));
      const [error] = (await once(stream, 'error')) as [ServiceError];
      assert.equal(error.code, status.UNIMPLEMENTED);
      assert.match(error.details, /WatchSandboxes is not implemented/);
    } finally {
      await harness.dispose();
    }
  });

  it('maps ShellgateError codes to gRPC codes with describe() as details', async () => {
    const harness = await start({
      getSandbox: (request) => {
        throw new SandboxNotFoundError(request.sandboxId);
      },
      createSandbox: (request) => {
        throw new SandboxAlreadyExistsError(request.sandbox!.id);
      },
      validateSandboxCreate: () => {
        throw new InvalidArgumentError('image must not be empty', { hint: 'set template.image' });
      },
      startSandbox: () => {
        throw new FailedPreconditionError('sandbox is being deleted');
      },
    });
    try {
      const { client } = harness;
      await assert.rejects(call((cb) => client.getSandbox({ sandboxId: 'sb-9', sandboxName: '' }, cb)), {
        code: status.NOT_FOUND,
        details: 'sandbox "sb-9" not found',
      });
      await assert.rejects(call((cb) => client.createSandbox({ sandbox: sandboxWithToken('sb-1') }, cb)), {
        code: status.ALREADY_EXISTS,
        details: 'sandbox "sb-1" already exists',
      });
      await assert.rejects(call((cb) => client.validateSandboxCreate({ sandbox: sandboxWithToken('sb-1') }, cb)), {
        code: status.INVALID_ARGUMENT,
        details: 'image must not be empty (set template.image)',
      });
      await assert.rejects(call((cb) => client.startSandbox({ sandboxId: 'x', sandboxName: '' }, cb)), {
        code: status.FAILED_PRECONDITION,
      });
    } finally {
      await harness.dispose();
    }
  });

  it('answers INTERNAL for an unknown error without leaking it, and logs the real error once', async () => {
    const harness = await start({
      listSandboxes: () => {
        throw new Error('ECONNREFUSED /var/run/docker.sock secret-internal-detail');
      },
    });
    try {
      await assert.rejects(call((cb) => harness.client.listSandboxes({}, cb)), (error: ServiceError) => {
        assert.equal(error.code, status.INTERNAL);
        assert.equal(error.details, 'internal error in ListSandboxes; see the driver log');
        return true;
      });
      const errors = harness.logger.lines.filter((line) => line.level === 'error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.fields['rpc'], 'ListSandboxes');
      assert.match(JSON.stringify(errors[0]!.fields['error']), /secret-internal-detail/);
    } finally {
      await harness.dispose();
    }
  });

  it('keeps the sandbox token out of error details and logs, even when a driver echoes the spec', async () => {
    const harness = await start({
      createSandbox: (request) => {
        throw new InvalidArgumentError(`bad spec ${JSON.stringify(request.sandbox?.spec)}`);
      },
      validateSandboxCreate: (request) => {
        throw new Error(`engine rejected ${JSON.stringify(request)}`);
      },
    });
    try {
      await assert.rejects(call((cb) => harness.client.createSandbox({ sandbox: sandboxWithToken('sb-1') }, cb)), (error: ServiceError) => {
        assert.equal(error.code, status.INVALID_ARGUMENT);
        assert.match(error.details, /"sandboxToken":"\[REDACTED\]"/);
        assert.ok(!error.details.includes(TOKEN));
        return true;
      });
      await assert.rejects(call((cb) => harness.client.validateSandboxCreate({ sandbox: sandboxWithToken('sb-2') }, cb)), {
        code: status.INTERNAL,
      });
      const text = harness.logger.text();
      assert.match(text, /"request"/, 'requests are logged at debug');
      assert.match(text, /engine rejected/, 'the unexpected error is logged');
      assert.ok(!text.includes(TOKEN), text);
    } finally {
      await harness.dispose();
    }
  });

  it('answers an empty message when a handler returns nothing', async () => {
    const harness = await start({ deleteWorkspace: () => undefined });
    try {
      assert.deepEqual(await call((cb) => harness.client.deleteWorkspace({ workspace: 'w' }, cb)), {});
    } finally {
      await harness.dispose();
    }
  });

  it('gives handlers a context: rpc-tagged logger, deadline, trace context, and a signal aborted on client cancel', async () => {
    const seen = deferred<CallContext>();
    const aborted = deferred<unknown>();
    const harness = await start({
      getSandbox: async (_request, ctx) => {
        ctx.logger.info('looking');
        seen.resolve(ctx);
        await once(ctx.signal, 'abort');
        aborted.resolve(ctx.signal.reason);
        throw ctx.signal.reason;
      },
    });
    try {
      const deadline = new Date(Date.now() + 60_000);
      const metadata = new Metadata();
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      metadata.set('traceparent', traceparent);
      const pending = harness.client.getSandbox(
        { sandboxId: 'a', sandboxName: '' },
        metadata,
        { deadline },
        () => undefined,
      );
      const ctx = await seen.promise;
      assert.ok(ctx.deadline instanceof Date && Math.abs(ctx.deadline.getTime() - deadline.getTime()) < 1000);
      assert.equal(ctx.traceparent, traceparent);
      assert.ok(harness.logger.lines.some((line) => line.message === 'looking' && line.fields['rpc'] === 'GetSandbox'));
      pending.cancel();
      const reason = await aborted.promise;
      assert.ok(isShellgateError(reason) && reason.code === 'CANCELLED');
    } finally {
      await harness.dispose();
    }
  });

  it('does not abort the signal of a call that answered normally', async () => {
    // grpc-js emits 'cancelled' when a finished call's stream closes; that is no cancel.
    let kept: AbortSignal | undefined;
    const harness = await start({
      getSandbox: (_request, ctx) => {
        kept = ctx.signal;
        return { sandbox: sandboxWithToken('a') };
      },
    });
    try {
      await call((cb) => harness.client.getSandbox({ sandboxId: 'a', sandboxName: '' }, cb));
    } finally {
      await harness.dispose();
    }
    assert.equal(kept?.aborted, false);
  });

  it('lets a slow in-flight unary call finish during close()', async () => {
    const started = deferred();
    const release = deferred();
    let implClosed = 0;
    const harness = await start({
      listSandboxes: async () => {
        started.resolve();
        await release.promise;
        return { sandboxes: [sandboxWithToken('slow')] };
      },
      close: () => {
        implClosed++;
      },
    });
    const response = call<ListSandboxesResponse>((cb) => harness.client.listSandboxes({}, cb));
    await started.promise;
    let isClosed = false;
    const closing = harness.server.close().then(() => (isClosed = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(isClosed, false, 'close waits for the in-flight call');
    assert.equal(implClosed, 0, 'impl.close runs only after the drain');
    release.resolve();
    assert.equal((await response).sandboxes[0]!.id, 'slow');
    await closing;
    assert.equal(implClosed, 1);
    await harness.server.close();
    assert.equal(implClosed, 1, 'close() is idempotent');
    harness.client.close();
    await assert.rejects(fsp.lstat(harness.server.socketPath), { code: 'ENOENT' });
  });

  it('cancels handlers still running when the drain bound passes', async () => {
    const started = deferred();
    const harness = await start(
      {
        listSandboxes: async (_request, ctx) => {
          started.resolve();
          await once(ctx.signal, 'abort');
          throw ctx.signal.reason;
        },
      },
      50,
    );
    const outcome = call((cb) => harness.client.listSandboxes({}, cb)).then(
      () => 'answered',
      (error: ServiceError) => error.code,
    );
    await started.promise;
    await harness.server.close();
    assert.notEqual(await outcome, 'answered');
    assert.ok(harness.logger.lines.some((line) => line.message.startsWith('drain timed out')));
    harness.client.close();
  });

  it('answers undecodable, over-deep and oversized requests INVALID_ARGUMENT, never INTERNAL, and keeps serving', async () => {
    const harness = await start({ createSandbox: () => undefined, getCapabilities: () => ({ driverName: 'test', driverVersion: '', defaultImage: '', gatewayManagesLifecycle: false }) });
    const raw = (path: string, body: Buffer): Promise<number> =>
      new Promise((resolve) => {
        harness.client.makeUnaryRequest(path, (value: Buffer) => value, (value: Buffer) => value, body, new Metadata(), {}, (error) => resolve(error?.code ?? status.OK));
      });
    try {
      // A field of wire type 7, which does not exist, and a message cut short.
      assert.equal(await raw('/openshell.compute.v1.ComputeDriver/CreateSandbox', Buffer.from([0x0f])), status.INVALID_ARGUMENT);
      assert.equal(await raw('/openshell.compute.v1.ComputeDriver/CreateSandbox', Buffer.from([0x0a, 0x05, 0x0a])), status.INVALID_ARGUMENT);
      let nested: Record<string, unknown> = { leaf: 1 };
      for (let depth = 0; depth < 45; depth += 1) nested = { next: nested };
      const sandbox = sandboxWithToken('deep');
      const deep = Buffer.from(ComputeDriverService.createSandbox.requestSerialize({ sandbox: { ...sandbox, spec: { ...sandbox.spec!, template: DriverSandboxTemplate.fromPartial({ driverConfig: nested }) } } }));
      assert.equal(await raw('/openshell.compute.v1.ComputeDriver/CreateSandbox', deep), status.INVALID_ARGUMENT);
      assert.equal(await raw('/openshell.compute.v1.ComputeDriver/CreateSandbox', Buffer.alloc(5 * 1024 * 1024, 0x0a)), status.RESOURCE_EXHAUSTED);
      const response = await call<GetCapabilitiesResponse>((cb) => harness.client.getCapabilities({}, cb));
      assert.equal(response.driverName, 'test');
    } finally {
      await harness.dispose();
    }
  });
});
