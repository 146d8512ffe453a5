import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BackoffJitter } from '../backoff/backoff.js';
import type { DriverSandbox } from '../gen/compute_driver.js';
import { RecordingLogger } from '../testing/recording-logger.js';
import { EventStreamWatchSource } from './event-stream-watch-source.js';
import type { EventStreamAdapter, SandboxChange } from './event-stream-watch-source.js';
import { SandboxTracker } from './sandbox-tracker.js';
import { RecordingPublisher, testPlatformEvent, testSandbox } from './testdata/recording-publisher.js';

/** One fake platform event: the changes it maps to, or a mapping failure after `changes`. */
interface FakeEvent {
  readonly name: string;
  readonly changes: readonly SandboxChange[];
  readonly error?: Error;
}

/** An event stream the test pushes into; it ends when told to or when its signal aborts. */
class PushStream implements AsyncIterable<FakeEvent> {
  readonly #queue: (FakeEvent | Error | 'end')[] = [];
  #wake: (() => void) | undefined;

  constructor(signal: AbortSignal) {
    signal.addEventListener('abort', () => this.end(), { once: true });
  }

  push(item: FakeEvent | Error | 'end'): void {
    this.#queue.push(item);
    this.#wake?.();
  }

  end(): void {
    this.push('end');
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FakeEvent> {
    for (;;) {
      const item = this.#queue.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      if (item === 'end') return;
      if (item instanceof Error) throw item;
      yield item;
    }
  }
}

class FakeAdapter implements EventStreamAdapter<FakeEvent> {
  readonly world = new Map<string, DriverSandbox>();
  readonly streams: PushStream[] = [];
  readonly openFailures: Error[] = [];
  readonly listFailures: Error[] = [];
  lists = 0;
  /** When set, list() waits for it before reading the world. */
  listGate: Promise<void> | undefined;

  async open(signal: AbortSignal): Promise<AsyncIterable<FakeEvent>> {
    const failure = this.openFailures.shift();
    if (failure !== undefined) throw failure;
    const stream = new PushStream(signal);
    this.streams.push(stream);
    return stream;
  }

  async list(): Promise<readonly DriverSandbox[]> {
    this.lists += 1;
    await this.listGate;
    const failure = this.listFailures.shift();
    if (failure !== undefined) throw failure;
    return [...this.world.values()];
  }

  async *toChanges(event: FakeEvent): AsyncIterable<SandboxChange> {
    for (const change of event.changes) yield change;
    if (event.error !== undefined) throw event.error;
  }

  describeEvent(event: FakeEvent): Record<string, unknown> {
    return { event: event.name };
  }

  get current(): PushStream {
    const stream = this.streams.at(-1);
    assert.ok(stream !== undefined, 'no stream was opened');
    return stream;
  }
}

/** A sleep that records each delay and waits until the test wakes it (or the signal aborts). */
class FakeSleep {
  readonly delays: number[] = [];
  #wake: (() => void) | undefined;

  readonly sleep = (ms: number, signal: AbortSignal): Promise<void> => {
    this.delays.push(ms);
    return new Promise((resolve) => {
      this.#wake = resolve;
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  };

  get isSleeping(): boolean {
    return this.#wake !== undefined;
  }

  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    assert.ok(wake !== undefined, 'nothing is sleeping');
    wake();
  }
}

/** Waits, bounded by wall time, until `condition` holds; no fixed sleeps. */
async function waitFor(description: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out after 5 s waiting for ${description}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const event = (name: string, ...changes: SandboxChange[]): FakeEvent => ({ name, changes });
const upsert = (sandbox: DriverSandbox): SandboxChange => ({ type: 'sandbox', sandbox });
const deleted = (sandboxId: string): SandboxChange => ({ type: 'deleted', sandboxId });

interface Harness extends AsyncDisposable {
  readonly adapter: FakeAdapter;
  readonly hub: RecordingPublisher;
  readonly tracker: SandboxTracker;
  readonly sleep: FakeSleep;
  readonly logger: RecordingLogger;
  readonly source: EventStreamWatchSource<FakeEvent>;
  /** Pushes events and waits until the adapter has mapped every one of them. */
  settle(): Promise<void>;
}

function startHarness(adapter = new FakeAdapter()): Harness {
  const hub = new RecordingPublisher();
  const tracker = new SandboxTracker(hub);
  const sleep = new FakeSleep();
  const logger = new RecordingLogger();
  const source = new EventStreamWatchSource({
    adapter,
    tracker,
    logger,
    sleep: sleep.sleep,
    random: () => 0,
    backoff: { initialMs: 100, maxMs: 1_000, jitter: BackoffJitter.None },
  });
  source.start();
  return {
    adapter,
    hub,
    tracker,
    sleep,
    logger,
    source,
    // A marker event whose mapping is observable tells us all earlier events were applied.
    settle: async () => {
      let isApplied = false;
      adapter.current.push({
        name: 'marker',
        get changes(): readonly SandboxChange[] {
          isApplied = true;
          return [];
        },
      });
      await waitFor('the events to be applied', () => isApplied);
      await new Promise((resolve) => setImmediate(resolve));
    },
    [Symbol.asyncDispose]: () => source.close(),
  };
}

describe('EventStreamWatchSource', () => {
  it('opens the stream, resyncs, then applies events in order', async () => {
    const adapter = new FakeAdapter();
    adapter.world.set('a', testSandbox('a'));
    await using h = startHarness(adapter);
    await waitFor('the first connection', () => h.source.connections === 1 && adapter.lists === 1);
    h.adapter.current.push(event('one', upsert(testSandbox('a', true)), { type: 'platform-event', sandboxId: 'a', event: testPlatformEvent('Started') }));
    h.adapter.current.push(event('two', upsert(testSandbox('b')), deleted('a')));
    h.adapter.current.push(event('ignored'));
    await h.settle();
    assert.deepEqual(h.hub.take(), ['sandbox:a:not-ready', 'sandbox:a:ready', 'event:a:Started', 'sandbox:b:not-ready', 'deleted:a']);
  });

  it('resync deletes only ids that nothing published since it began', async () => {
    const adapter = new FakeAdapter();
    let releaseList!: () => void;
    adapter.listGate = new Promise((resolve) => (releaseList = resolve));
    const hub = new RecordingPublisher();
    const tracker = new SandboxTracker(hub);
    tracker.publish(testSandbox('stale')); // known before the watch started, gone since
    const source = new EventStreamWatchSource({ adapter, tracker, sleep: new FakeSleep().sleep });
    source.start();
    await waitFor('the resync to list', () => adapter.lists === 1);
    tracker.publish(testSandbox('created-meanwhile')); // e.g. a CreateSandbox while listing
    releaseList();
    await waitFor('the resync to publish', () => hub.seen.includes('deleted:stale'));
    await source.close();
    assert.deepEqual(hub.take(), ['sandbox:stale:not-ready', 'sandbox:created-meanwhile:not-ready', 'deleted:stale']);
  });

  it('never resurrects a deleted id: not from a late event, nor from a listing read meanwhile', async () => {
    const adapter = new FakeAdapter();
    adapter.world.set('a', testSandbox('a'));
    adapter.world.set('b', testSandbox('b'));
    await using h = startHarness(adapter);
    await waitFor('the first resync', () => h.hub.seen.length === 2);
    adapter.world.delete('a');
    h.adapter.current.push(event('destroy', deleted('a')));
    h.adapter.current.push(event('late', upsert(testSandbox('a', true))));
    await h.settle();
    let releaseList!: () => void;
    adapter.listGate = new Promise((resolve) => (releaseList = resolve));
    h.adapter.current.push(event('410', { type: 'gap' }));
    await waitFor('the relist', () => adapter.lists === 2);
    h.tracker.publishDeleted('b'); // a DeleteSandbox finishing while the relist still shows b
    releaseList();
    await h.settle();
    assert.deepEqual(h.hub.take(), ['sandbox:a:not-ready', 'sandbox:b:not-ready', 'deleted:a', 'deleted:b']);
  });

  it('relists on a gap and publishes what the stream missed', async () => {
    const adapter = new FakeAdapter();
    adapter.world.set('a', testSandbox('a'));
    await using h = startHarness(adapter);
    await waitFor('the first resync', () => h.hub.seen.length === 1);
    adapter.world.delete('a');
    adapter.world.set('b', testSandbox('b', true));
    h.adapter.current.push(event('410 Gone', { type: 'gap' }));
    await h.settle();
    assert.deepEqual(h.hub.take(), ['sandbox:a:not-ready', 'sandbox:b:ready', 'deleted:a']);
    assert.equal(adapter.lists, 2);
    assert.equal(h.source.connections, 1, 'a gap relists without reconnecting');
  });

  it('reconnects after backoff when the stream ends or fails, and resyncs each time', async () => {
    const adapter = new FakeAdapter();
    await using h = startHarness(adapter);
    await waitFor('the first connection', () => h.source.connections === 1);
    h.adapter.current.end();
    await waitFor('a backoff sleep', () => h.sleep.isSleeping);
    adapter.world.set('a', testSandbox('a')); // changed while disconnected
    adapter.openFailures.push(new Error('engine down'), new Error('engine still down'));
    h.sleep.wake();
    await waitFor('a second backoff sleep', () => h.sleep.delays.length === 2);
    h.sleep.wake();
    await waitFor('a third backoff sleep', () => h.sleep.delays.length === 3);
    assert.equal(h.source.connections, 1);
    h.sleep.wake();
    await waitFor('the second connection', () => h.source.connections === 2);
    await h.settle();
    assert.deepEqual(h.sleep.delays, [100, 200, 400]);
    assert.deepEqual(h.hub.take(), ['sandbox:a:not-ready']);
    assert.deepEqual(h.logger.lines.map((line) => `${line.level} ${line.message}`), [
      'warn event stream ended; reconnecting',
      'warn event stream failed; reconnecting',
      'warn event stream failed; reconnecting',
      'info event stream reconnected and resynced',
    ]);
    h.adapter.current.push(new Error('stream broke'));
    await waitFor('a backoff after the reset', () => h.sleep.delays.length === 4);
    assert.equal(h.sleep.delays[3], 100, 'a good connection starts the backoff over');
  });

  it('reconnects when the resync after opening fails', async () => {
    const adapter = new FakeAdapter();
    adapter.listFailures.push(new Error('list failed'));
    await using h = startHarness(adapter);
    await waitFor('a backoff sleep', () => h.sleep.isSleeping);
    assert.equal(h.logger.lines[0]?.message, 'event stream failed; reconnecting');
    h.sleep.wake();
    await waitFor('the second connection', () => h.source.connections === 2 && adapter.lists === 2);
  });

  it('logs an event it could not apply, keeps what was mapped before the failure, and goes on', async () => {
    await using h = startHarness();
    await waitFor('the first connection', () => h.source.connections === 1);
    h.adapter.current.push({ name: 'die', changes: [{ type: 'platform-event', sandboxId: 'a', event: testPlatformEvent('Died') }], error: new Error('inspect failed') });
    h.adapter.current.push(event('next', upsert(testSandbox('b'))));
    await h.settle();
    assert.deepEqual(h.hub.take(), ['event:a:Died', 'sandbox:b:not-ready']);
    const line = h.logger.lines.find((candidate) => candidate.message === 'could not apply an event');
    assert.equal(line?.level, 'warn');
    assert.equal(line?.fields.event, 'die');
    assert.equal((line?.fields.error as Error).message, 'inspect failed');
    assert.equal(h.source.connections, 1);
  });

  it('close() stops the stream and the loop, also while backing off, and is idempotent', async () => {
    const adapter = new FakeAdapter();
    const h = startHarness(adapter);
    await waitFor('the first connection', () => h.source.connections === 1);
    await h.source.close(); // resolves: the stream ended with the signal and the loop stopped
    assert.equal(adapter.streams.length, 1);

    const backingOff = startHarness();
    await waitFor('the first connection', () => backingOff.source.connections === 1);
    backingOff.adapter.current.end();
    await waitFor('a backoff sleep', () => backingOff.sleep.isSleeping);
    await backingOff.source.close();
    await backingOff.source.close();
    assert.equal(backingOff.source.connections, 1, 'no reconnect after close');
    assert.ok(!backingOff.logger.lines.some((line) => line.message === 'could not apply an event'));

    const neverStarted = new EventStreamWatchSource({ adapter: new FakeAdapter(), tracker: new SandboxTracker(new RecordingPublisher()) });
    await neverStarted.close();
  });
});
