import { once } from 'node:events';

/** The part of a server-streaming call the pump writes to. */
export interface WatchStreamWriter<T> {
  write(message: T): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * Copies `events` into `writer` until the source ends or `signal` aborts, honouring
 * backpressure: when `write()` returns false it waits for 'drain' before pulling the next
 * event, so a slow gateway slows the source (and a bounded watch hub ends it with ABORTED)
 * instead of growing our memory. Resolves when done; rejects with whatever the source threw.
 */
export async function pumpWatchStream<T>(
  events: AsyncIterable<T>,
  writer: WatchStreamWriter<T>,
  signal: AbortSignal,
): Promise<void> {
  const iterator = events[Symbol.asyncIterator]();
  const aborted = whenAborted(signal);
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === ABORTED || next.done === true) return;
      if (!writer.write(next.value) && (await Promise.race([waitForDrain(writer), aborted])) === ABORTED) return;
    }
  } finally {
    // Tell the source we are gone so a hub drops the subscriber. Not awaited: a generator
    // parked on its next event only sees return() once that event arrives.
    Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

const ABORTED = Symbol('aborted');

function whenAborted(signal: AbortSignal): Promise<typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return once(signal, 'abort').then(() => ABORTED);
}

function waitForDrain(writer: WatchStreamWriter<unknown>): Promise<void> {
  return new Promise((resolve) => writer.once('drain', resolve));
}
