import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { waitUnlessAborted } from './wait-unless-aborted.js';

describe('waitUnlessAborted', () => {
  it('settles with the task', async () => {
    await waitUnlessAborted(Promise.resolve(), new AbortController().signal);
    await assert.rejects(waitUnlessAborted(Promise.reject(new Error('task failed')), new AbortController().signal), /task failed/);
  });

  it('rejects with the abort reason when the signal aborts first, without cancelling the task', async () => {
    const abort = new AbortController();
    let finish: () => void = () => undefined;
    const task = new Promise<void>((resolve) => (finish = resolve));
    const waiting = waitUnlessAborted(task, abort.signal);
    abort.abort(new Error('caller gone'));
    await assert.rejects(waiting, /caller gone/);
    finish();
    await task;
    await assert.rejects(waitUnlessAborted(task, abort.signal), /caller gone/, 'an aborted signal rejects at once');
  });
});
