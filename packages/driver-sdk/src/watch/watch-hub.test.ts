import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DriverSandbox } from '../gen/compute_driver.js';
import type { DriverPlatformEvent, WatchSandboxesEvent } from '../gen/compute_driver.js';
import { WatchHub } from './watch-hub.js';
import { RecordingLogger } from '../testing/recording-logger.js';

function sandbox(id: string, name = id): DriverSandbox {
  return DriverSandbox.fromPartial({ id, name, status: { sandboxName: name, conditions: [] } });
}

function open(hub: WatchHub, signal?: AbortSignal): AsyncIterator<WatchSandboxesEvent> {
  return hub.subscribe(signal)[Symbol.asyncIterator]();
}

/** A short, readable label for an event: "sandbox:a", "deleted:a", "platform:a:Pulled". */
function describeEvent(event: WatchSandboxesEvent): string {
  const payload = event.payload;
  switch (payload?.$case) {
    case 'sandbox':
      return `sandbox:${payload.sandbox.sandbox?.id ?? '?'}`;
    case 'deleted':
      return `deleted:${payload.deleted.sandboxId}`;
    case 'platformEvent':
      return `platform:${payload.platformEvent.sandboxId}:${payload.platformEvent.event?.reason ?? '?'}`;
    default:
      return 'empty';
  }
}

async function take(iterator: AsyncIterator<WatchSandboxesEvent>, count: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const result = await iterator.next();
    if (result.done === true) assert.fail(`stream ended after ${seen.join(', ')}`);
    seen.push(describeEvent(result.value));
  }
  return seen;
}

/** Resolves once every microtask and pending I/O callback queued so far has run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function platformEvent(reason: string): DriverPlatformEvent {
  return { timestampMs: 1, source: 'docker', type: 'Normal', reason, message: '', metadata: {} };
}


/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('WatchHub', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('sends a full snapshot, then live events in publish order', async () => {
    const hub = new WatchHub({ snapshot: () => [sandbox('a'), sandbox('b')] });
    const stream = open(hub);
    assert.deepEqual(await take(stream, 2), ['sandbox:a', 'sandbox:b']);
    hub.publishSandbox(sandbox('c'));
    hub.publishDeleted('a');
    hub.publishPlatformEvent('b', platformEvent('Pulled'));
    assert.deepEqual(await take(stream, 3), ['sandbox:c', 'deleted:a', 'platform:b:Pulled']);
  });

  it('delivers an event that waits for the next publish', async () => {
    const hub = new WatchHub({ snapshot: () => [] });
    const stream = open(hub);
    const pending = stream.next();
    await flush();
    hub.publishDeleted('x');
    const result = await pending;
    assert.equal(describeEvent(result.value as WatchSandboxesEvent), 'deleted:x');
  });

  it('registers before taking the snapshot, so nothing published meanwhile is lost', async () => {
    let releaseSnapshot: (sandboxes: DriverSandbox[]) => void = () => undefined;
    const hub = new WatchHub({
      snapshot: () => new Promise<DriverSandbox[]>((resolve) => (releaseSnapshot = resolve)),
    });
    const stream = open(hub);
    assert.equal(hub.subscriberCount, 1);
    hub.publishSandbox(sandbox('b', 'b-v2'));
    hub.publishDeleted('gone');
    releaseSnapshot([sandbox('a'), sandbox('b')]);
    assert.deepEqual(await take(stream, 4), ['sandbox:a', 'sandbox:b', 'sandbox:b', 'deleted:gone']);
  });

  it('also catches events published from inside a synchronous snapshot', async () => {
    const hub = new WatchHub({
      snapshot: () => {
        hub.publishSandbox(sandbox('during'));
        return [sandbox('a')];
      },
    });
    assert.deepEqual(await take(open(hub), 2), ['sandbox:a', 'sandbox:during']);
  });

  it('calls the snapshot once per subscriber and fans events out to all of them', async () => {
    let snapshotCalls = 0;
    const hub = new WatchHub({
      snapshot: () => {
        snapshotCalls += 1;
        return [sandbox('a')];
      },
    });
    const first = open(hub);
    const second = open(hub);
    assert.equal(hub.subscriberCount, 2);
    hub.publishSandbox(sandbox('b'));
    assert.deepEqual(await take(first, 2), ['sandbox:a', 'sandbox:b']);
    assert.deepEqual(await take(second, 2), ['sandbox:a', 'sandbox:b']);
    assert.equal(snapshotCalls, 2);
  });

  it('shares one event object among subscribers and copies the sandbox once per publish', async () => {
    const hub = new WatchHub({ snapshot: () => [] });
    const streams = Array.from({ length: 100 }, () => open(hub));
    const published = sandbox('big');
    published.spec = DriverSandbox.fromPartial({ spec: { command: Array.from({ length: 10_000 }, String) } }).spec;
    hub.publishSandbox(published);
    published.name = 'mutated-after-publish';
    const events = await Promise.all(streams.map(async (stream) => (await stream.next()).value as WatchSandboxesEvent));
    for (const event of events) assert.equal(event, events[0]);
    const delivered = events[0]?.payload?.$case === 'sandbox' ? events[0].payload.sandbox.sandbox : undefined;
    assert.equal(delivered?.name, 'big');
    assert.notEqual(delivered, published);
  });

  it('ends a subscriber that overflows its buffer with ABORTED and leaves the others alone', async () => {
    const logger = new RecordingLogger();
    const hub = new WatchHub({ snapshot: () => [], bufferSize: 3, logger });
    const slow = open(hub);
    const fast = open(hub);
    const fastSeen: string[] = [];
    await flush(); // let both snapshots land
    for (let i = 0; i < 5; i += 1) {
      hub.publishDeleted(`s${i}`); // returns at once: nothing awaits a consumer
      fastSeen.push(...(await take(fast, 1)));
    }
    assert.deepEqual(fastSeen, ['deleted:s0', 'deleted:s1', 'deleted:s2', 'deleted:s3', 'deleted:s4']);
    assert.equal(hub.subscriberCount, 1);
    await assert.rejects(slow.next(), (error: Error & { code?: string }) => {
      assert.equal(error.name, 'WatchSubscriberLaggedError');
      assert.equal(error.code, 'ABORTED');
      return true;
    });
    assert.deepEqual(await slow.next(), { done: true, value: undefined });
    assert.ok(logger.lines.some((line) => line.level === 'warn' && line.fields.bufferSize === 3));
    hub.publishDeleted('after');
    assert.deepEqual(await take(fast, 1), ['deleted:after']);
  });

  it('keeps a subscriber holding exactly bufferSize queued events', async () => {
    const hub = new WatchHub({ snapshot: () => [], bufferSize: 2 });
    const stream = open(hub);
    await flush();
    hub.publishDeleted('a');
    hub.publishDeleted('b');
    assert.equal(hub.subscriberCount, 1);
    assert.deepEqual(await take(stream, 2), ['deleted:a', 'deleted:b']);
    hub.publishDeleted('c');
    hub.publishDeleted('d');
    hub.publishDeleted('e');
    assert.equal(hub.subscriberCount, 0);
  });

  it('lags a subscriber whose buffer fills while its snapshot is still being read', async () => {
    let releaseSnapshot: (sandboxes: DriverSandbox[]) => void = () => undefined;
    const hub = new WatchHub({
      bufferSize: 1,
      snapshot: () => new Promise<DriverSandbox[]>((resolve) => (releaseSnapshot = resolve)),
    });
    const stream = open(hub);
    hub.publishDeleted('a');
    hub.publishDeleted('b');
    releaseSnapshot([sandbox('x')]);
    await assert.rejects(stream.next(), { name: 'WatchSubscriberLaggedError' });
  });

  it('ends the stream normally when the signal aborts, waking a pending read', async () => {
    const hub = new WatchHub({ snapshot: () => [sandbox('a')] });
    const controller = new AbortController();
    const stream = open(hub, controller.signal);
    await take(stream, 1);
    const pending = stream.next();
    controller.abort();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(hub.subscriberCount, 0);
  });

  it('ends at once for an already-aborted signal without reading a snapshot', async () => {
    let snapshotCalls = 0;
    const hub = new WatchHub({ snapshot: () => (snapshotCalls += 1, []) });
    const controller = new AbortController();
    controller.abort();
    const seen: WatchSandboxesEvent[] = [];
    for await (const event of hub.subscribe(controller.signal)) seen.push(event);
    assert.deepEqual(seen, []);
    assert.equal(snapshotCalls, 0);
    assert.equal(hub.subscriberCount, 0);
  });

  it('unsubscribes when the consumer breaks out of for-await', async () => {
    const hub = new WatchHub({ snapshot: () => [sandbox('a'), sandbox('b')] });
    for await (const event of hub.subscribe()) {
      assert.equal(describeEvent(event), 'sandbox:a');
      assert.equal(hub.subscriberCount, 1);
      break;
    }
    assert.equal(hub.subscriberCount, 0);
  });

  it('wakes a pending read with done when return() is called', async () => {
    const hub = new WatchHub({ snapshot: () => [] });
    const stream = open(hub);
    const pending = stream.next();
    await stream.return?.();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(hub.subscriberCount, 0);
  });

  it('close() ends every stream normally and later subscribes end immediately', async () => {
    let snapshotCalls = 0;
    const hub = new WatchHub({ snapshot: () => (snapshotCalls += 1, [sandbox('a')]) });
    const first = open(hub);
    const second = open(hub);
    await take(first, 1);
    const pending = first.next();
    hub.close();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.deepEqual(await second.next(), { done: true, value: undefined });
    assert.equal(hub.subscriberCount, 0);
    const late = open(hub);
    assert.deepEqual(await late.next(), { done: true, value: undefined });
    assert.equal(snapshotCalls, 2);
    hub.publishDeleted('ignored'); // no throw after close
    hub.close(); // idempotent
  });

  it('fails the stream with the snapshot error, sync or async, and unsubscribes', async () => {
    const failure = new Error('engine down');
    const syncHub = new WatchHub({
      snapshot: () => {
        throw failure;
      },
    });
    await assert.rejects(open(syncHub).next(), (error) => error === failure);
    assert.equal(syncHub.subscriberCount, 0);
    const asyncHub = new WatchHub({ snapshot: () => Promise.reject(failure) });
    const stream = open(asyncHub);
    await assert.rejects(stream.next(), (error) => error === failure);
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
    assert.equal(asyncHub.subscriberCount, 0);
  });

  it('serves concurrent next() calls in order', async () => {
    const hub = new WatchHub({ snapshot: () => [sandbox('a')] });
    const stream = open(hub);
    const reads = [stream.next(), stream.next(), stream.next()];
    hub.publishDeleted('b');
    hub.publishDeleted('c');
    const results = await Promise.all(reads);
    assert.deepEqual(results.map((result) => describeEvent(result.value as WatchSandboxesEvent)), [
      'sandbox:a',
      'deleted:b',
      'deleted:c',
    ]);
  });

  it('keeps order across many events and queue compaction', async () => {
    const hub = new WatchHub({ snapshot: () => [], bufferSize: 5000 });
    const stream = open(hub);
    await flush();
    for (let i = 0; i < 3000; i += 1) hub.publishDeleted(String(i));
    const first = await take(stream, 1000);
    for (let i = 3000; i < 4000; i += 1) hub.publishDeleted(String(i));
    const rest = await take(stream, 3000);
    assert.deepEqual([...first, ...rest], Array.from({ length: 4000 }, (_, i) => `deleted:${i}`));
  });

  it('refuses a non-positive bufferSize', () => {
    assert.throws(() => new WatchHub({ snapshot: () => [], bufferSize: 0 }), RangeError);
  });
});
