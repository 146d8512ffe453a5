import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readyCondition } from '../conditions/conditions.js';
import { DriverSandbox } from '../gen/compute_driver.js';
import type { WatchSandboxesEvent } from '../gen/compute_driver.js';
import type { PollingTimers } from './polling-watch-source.js';
import { PollingWatchSource } from './polling-watch-source.js';
import { WatchHub } from './watch-hub.js';
import { RecordingLogger } from '../testing/recording-logger.js';
import { watchedSandbox } from './testdata/watched-sandbox.js';

class FakeTimers implements PollingTimers {
  readonly pending = new Map<number, { callback: () => void; delayMs: number }>();
  #nextId = 1;

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.#nextId++;
    this.pending.set(id, { callback, delayMs });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Fires the one pending timer and returns its delay. */
  fire(): number {
    assert.equal(this.pending.size, 1, 'expected exactly one pending timer');
    const [id, timer] = [...this.pending][0]!;
    this.pending.delete(id);
    timer.callback();
    return timer.delayMs;
  }
}


/** Lets every promise callback queued so far run; no wall-clock waiting. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function describeEvent(event: WatchSandboxesEvent): string {
  const payload = event.payload;
  if (payload?.$case === 'sandbox') return `sandbox:${payload.sandbox.sandbox?.id ?? '?'}`;
  if (payload?.$case === 'deleted') return `deleted:${payload.deleted.sandboxId}`;
  return 'other';
}

/** A hub with one attached subscriber whose received events can be drained synchronously. */
async function recordingHub(): Promise<{ hub: WatchHub; drain: () => Promise<string[]> }> {
  const hub = new WatchHub({ snapshot: () => [] });
  const received: string[] = [];
  const stream = hub.subscribe()[Symbol.asyncIterator]();
  const pump = async (): Promise<void> => {
    for (;;) {
      const result = await stream.next();
      if (result.done === true) return;
      received.push(describeEvent(result.value));
    }
  };
  void pump();
  await flush();
  return {
    hub,
    drain: async () => {
      await flush();
      return received.splice(0);
    },
  };
}

describe('PollingWatchSource', () => {
  it('publishes new, changed and deleted sandboxes between polls, and nothing when unchanged', async () => {
    const { hub, drain } = await recordingHub();
    let listing = [watchedSandbox('a'), watchedSandbox('b')];
    const source = new PollingWatchSource({ hub, intervalMs: 1000, list: async () => listing, timers: new FakeTimers() });

    await source.pollOnce();
    assert.deepEqual(await drain(), ['sandbox:a', 'sandbox:b']);

    await source.pollOnce();
    assert.deepEqual(await drain(), []);

    listing = [watchedSandbox('a', true), watchedSandbox('c')];
    await source.pollOnce();
    assert.deepEqual(await drain(), ['sandbox:a', 'sandbox:c', 'deleted:b']);
  });

  it('polls on start, then intervalMs after each poll ends, and stops on close', async () => {
    const { hub, drain } = await recordingHub();
    const timers = new FakeTimers();
    let calls = 0;
    let listing = [watchedSandbox('a')];
    const source = new PollingWatchSource({
      hub,
      intervalMs: 2000,
      timers,
      list: async () => {
        calls += 1;
        return listing;
      },
    });
    source.start();
    source.start(); // idempotent
    await flush();
    assert.equal(calls, 1);
    assert.deepEqual(await drain(), ['sandbox:a']);
    listing = [];
    assert.equal(timers.fire(), 2000);
    await flush();
    assert.equal(calls, 2);
    assert.deepEqual(await drain(), ['deleted:a']);
    source.close();
    assert.equal(timers.pending.size, 0);
  });

  it('does not schedule the next poll until a slow list returns', async () => {
    const { hub } = await recordingHub();
    const timers = new FakeTimers();
    let finishList: (sandboxes: DriverSandbox[]) => void = () => undefined;
    const source = new PollingWatchSource({
      hub,
      intervalMs: 500,
      timers,
      list: () => new Promise<DriverSandbox[]>((resolve) => (finishList = resolve)),
    });
    source.start();
    await flush();
    assert.equal(timers.pending.size, 0);
    finishList([]);
    await flush();
    assert.equal(timers.pending.size, 1);
    source.close();
  });

  it('logs a failed list, publishes no deletions, and retries on the next tick', async () => {
    const { hub, drain } = await recordingHub();
    const timers = new FakeTimers();
    const logger = new RecordingLogger();
    let isFailing = false;
    const source = new PollingWatchSource({
      hub,
      intervalMs: 1000,
      timers,
      logger,
      list: async () => {
        if (isFailing) throw new Error('engine unreachable');
        return [watchedSandbox('a')];
      },
    });
    source.start();
    assert.deepEqual(await drain(), ['sandbox:a']);
    isFailing = true;
    timers.fire();
    assert.deepEqual(await drain(), []);
    assert.equal(logger.lines.length, 1);
    assert.equal(logger.lines[0]?.level, 'warn');
    assert.equal((logger.lines[0]?.fields.error as Error).message, 'engine unreachable');
    assert.equal(timers.pending.size, 1, 'the next poll is still scheduled');
    isFailing = false;
    timers.fire();
    assert.deepEqual(await drain(), [], 'a recovered list equal to the last good one publishes nothing');
    source.close();
  });

  it('publishes an id again when a later poll lists it after its deletion (re-created)', async () => {
    const { hub, drain } = await recordingHub();
    let listing = [watchedSandbox('a')];
    const source = new PollingWatchSource({ hub, intervalMs: 1000, list: async () => listing, timers: new FakeTimers() });
    await source.pollOnce();
    listing = [];
    await source.pollOnce();
    listing = [watchedSandbox('a')];
    await source.pollOnce();
    assert.deepEqual(await drain(), ['sandbox:a', 'deleted:a', 'sandbox:a']);
  });

  it('keeps its own copy, so a driver mutating its records still gets changes published', async () => {
    const { hub, drain } = await recordingHub();
    const record = watchedSandbox('a');
    const source = new PollingWatchSource({ hub, intervalMs: 1000, list: async () => [record], timers: new FakeTimers() });
    await source.pollOnce();
    assert.deepEqual(await drain(), ['sandbox:a']);
    record.status!.conditions = [readyCondition(true, 'Running', '')];
    await source.pollOnce();
    assert.deepEqual(await drain(), ['sandbox:a']);
  });

  it('uses a custom isEqual when given', async () => {
    const { hub, drain } = await recordingHub();
    let version = 0;
    const source = new PollingWatchSource({
      hub,
      intervalMs: 1000,
      timers: new FakeTimers(),
      list: async () => [DriverSandbox.fromPartial({ id: 'a', name: `v${(version += 1)}` })],
      isEqual: (previous, next) => previous.id === next.id,
    });
    await source.pollOnce();
    await source.pollOnce();
    assert.deepEqual(await drain(), ['sandbox:a']);
  });

  it('keeps polling after isEqual throws, logging the error', async () => {
    const { hub } = await recordingHub();
    const timers = new FakeTimers();
    const logger = new RecordingLogger();
    const source = new PollingWatchSource({
      hub,
      intervalMs: 1000,
      timers,
      logger,
      list: async () => [watchedSandbox('a')],
      isEqual: () => {
        throw new Error('boom');
      },
    });
    await source.pollOnce();
    source.start();
    await flush();
    assert.equal(logger.lines[0]?.level, 'error');
    assert.equal(timers.pending.size, 1);
    await assert.rejects(source.pollOnce(), /boom/);
    source.close();
  });

  it('refuses a non-positive interval', () => {
    assert.throws(
      () => new PollingWatchSource({ hub: new WatchHub({ snapshot: () => [] }), intervalMs: 0, list: async () => [] }),
      RangeError,
    );
  });
});
