import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';

import { pumpWatchStream } from './pump-watch-stream.js';

/** A writer whose buffer is "full" until the test emits 'drain'. */
class FakeWriter extends EventEmitter {
  readonly written: number[] = [];
  isFull = false;
  onWrite: () => void = () => undefined;

  write(message: number): boolean {
    this.written.push(message);
    this.onWrite();
    return !this.isFull;
  }
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('pumpWatchStream', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('does not pull the next event while the writer is full, and resumes on drain', async () => {
    const pulled: number[] = [];
    async function* source(): AsyncGenerator<number> {
      for (const value of [1, 2, 3]) {
        pulled.push(value);
        yield value;
      }
    }
    const writer = new FakeWriter();
    writer.isFull = true;
    const pumping = pumpWatchStream(source(), writer, new AbortController().signal);
    // Let the pump run as far as it would go; it must park on 'drain' after the first write.
    for (let i = 0; i < 5; i++) await macrotask();
    assert.deepEqual(writer.written, [1]);
    assert.deepEqual(pulled, [1]);
    writer.isFull = false;
    writer.emit('drain');
    await pumping;
    assert.deepEqual(writer.written, [1, 2, 3]);
  });

  it('stops on abort while waiting for drain or for the next event, and returns the source', async () => {
    let isReturned = false;
    async function* source(): AsyncGenerator<number> {
      try {
        yield 1;
        yield 2;
      } finally {
        isReturned = true;
      }
    }
    const writer = new FakeWriter();
    writer.isFull = true;
    const controller = new AbortController();
    writer.onWrite = () => controller.abort();
    await pumpWatchStream(source(), writer, controller.signal);
    assert.deepEqual(writer.written, [1]);
    await macrotask();
    assert.equal(isReturned, true);

    const parked = new AbortController();
    const never = (async function* (): AsyncGenerator<number> {
      await new Promise(() => undefined);
      yield 0;
    })();
    const pumping = pumpWatchStream(never, new FakeWriter(), parked.signal);
    parked.abort();
    await pumping;
  });

  it('rejects with what the source throws', async () => {
    async function* source(): AsyncGenerator<number> {
      yield 1;
      throw new Error('lagged');
    }
    await assert.rejects(pumpWatchStream(source(), new FakeWriter(), new AbortController().signal), /lagged/);
  });
});
