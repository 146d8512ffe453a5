import assert from 'node:assert/strict';
import { once } from 'node:events';
import { promises as fsp } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import type { ServiceError } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';

import { WatchSubscriberLaggedError } from '../errors.js';
import type { WatchSandboxesEvent } from '../gen/compute_driver.js';
import type { ComputeDriverImpl } from './driver-impl.js';
import type { DriverHarness } from './testdata/driver-harness.js';
import { deferred, makeSocketRoot, startDriverHarness } from './testdata/driver-harness.js';

let root = '';
before(async () => {
  root = await makeSocketRoot();
});
after(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

function start(impl: Partial<ComputeDriverImpl>): Promise<DriverHarness> {
  return startDriverHarness(root, impl);
}

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('serveDriver WatchSandboxes', { timeout: SUITE_TIMEOUT_MS }, () => {
  const event = (id: string): WatchSandboxesEvent => ({ payload: { $case: 'deleted', deleted: { sandboxId: id } } });

  it('streams events, and ends the stream with UNAVAILABLE on close', async () => {
    const returned = deferred();
    const harness = await start({
      async *watchSandboxes(_request, ctx) {
        try {
          yield event('a');
          yield event('b');
          await once(ctx.signal, 'abort');
        } finally {
          returned.resolve();
        }
      },
    });
    const stream = harness.client.watchSandboxes({});
    const ids: string[] = [];
    const two = deferred();
    stream.on('data', (message: WatchSandboxesEvent) => {
      if (message.payload?.$case === 'deleted') ids.push(message.payload.deleted.sandboxId);
      if (ids.length === 2) two.resolve();
    });
    const ended = once(stream, 'error') as Promise<[ServiceError]>;
    await two.promise;
    await harness.server.close();
    const [error] = await ended;
    assert.equal(error.code, status.UNAVAILABLE);
    assert.match(error.details, /shutting down/);
    assert.deepEqual(ids, ['a', 'b']);
    await returned.promise;
    harness.client.close();
  });

  it('ends the stream with the code of a ShellgateError the source throws (lagging subscriber)', async () => {
    const harness = await start({
      async *watchSandboxes() {
        yield event('a');
        throw new WatchSubscriberLaggedError(256);
      },
    });
    try {
      const stream = harness.client.watchSandboxes({});
      stream.on('data', () => undefined);
      const [error] = (await once(stream, 'error')) as [ServiceError];
      assert.equal(error.code, status.ABORTED);
      assert.match(error.details, /fell more than 256 events behind/);
    } finally {
      await harness.dispose();
    }
  });

  it('ends the stream OK when the source finishes', async () => {
    const harness = await start({
      async *watchSandboxes() {
        yield event('only');
      },
    });
    try {
      const stream = harness.client.watchSandboxes({});
      const ids: string[] = [];
      stream.on('data', (message: WatchSandboxesEvent) => ids.push(message.payload?.$case ?? ''));
      await once(stream, 'end');
      assert.deepEqual(ids, ['deleted']);
    } finally {
      await harness.dispose();
    }
  });

  it('stops iterating when the client cancels', async () => {
    const returned = deferred();
    const aborted = deferred();
    const harness = await start({
      async *watchSandboxes(_request, ctx) {
        ctx.signal.addEventListener('abort', () => aborted.resolve());
        try {
          yield event('a');
          await once(ctx.signal, 'abort');
          yield event('never');
        } finally {
          returned.resolve();
        }
      },
    });
    try {
      const stream = harness.client.watchSandboxes({});
      stream.on('error', () => undefined);
      await once(stream, 'data');
      stream.cancel();
      await aborted.promise;
      await returned.promise;
    } finally {
      await harness.dispose();
    }
  });
});
