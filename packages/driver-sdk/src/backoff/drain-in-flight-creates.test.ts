import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { drainInFlightCreates } from './drain-in-flight-creates.js';
import type { InFlightCreate } from './drain-in-flight-creates.js';

/** A create that runs until it is aborted. */
function endlessCreate(): InFlightCreate {
  const abort = new AbortController();
  return { abort, task: new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true })) };
}

describe('drainInFlightCreates', () => {
  it('returns as soon as every create has finished, without waiting out the grace', { timeout: 5000 }, async () => {
    const done = { abort: new AbortController(), task: Promise.resolve() };
    await drainInFlightCreates(new Map([['a', done]]), 60_000);
    assert.equal(done.abort.signal.aborted, true, 'a record still in the map is told to stop');
  });

  it('aborts the creates still running once the grace is over', { timeout: 5000 }, async () => {
    const slow = endlessCreate();
    const startedAt = Date.now();
    await drainInFlightCreates(new Map([['slow', slow]]), 50);
    assert.equal(slow.abort.signal.aborted, true);
    assert.ok(Date.now() - startedAt >= 40, 'waited for the grace first');
  });

  it('aborts only what is still in the map after the wait', { timeout: 5000 }, async () => {
    const pending = new Map<string, InFlightCreate>();
    const finishing = { abort: new AbortController(), task: Promise.resolve().then(() => void pending.delete('finishing')) };
    pending.set('finishing', finishing);
    await drainInFlightCreates(pending, 60_000);
    assert.equal(finishing.abort.signal.aborted, false);
  });

  it('does nothing with no creates', { timeout: 5000 }, async () => {
    await drainInFlightCreates(new Map(), 60_000);
  });
});
