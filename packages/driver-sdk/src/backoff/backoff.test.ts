import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BackoffJitter, abortableSleep, backoffDelayMs } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';

const policy = (jitter: BackoffJitter): BackoffPolicy => ({ initialMs: 250, maxMs: 5_000, jitter });
const lowest = (): number => 0;
const highest = (): number => 0.999_999_999;

describe('backoffDelayMs', () => {
  it('none: exactly the step, doubling from initialMs to the cap', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 50, 10_000].map((attempt) => backoffDelayMs(attempt, policy(BackoffJitter.None), lowest));
    assert.deepEqual(delays, [250, 500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000]);
  });

  it('full: anywhere in [0, step]', () => {
    assert.equal(backoffDelayMs(0, policy(BackoffJitter.Full), lowest), 0);
    assert.equal(backoffDelayMs(0, policy(BackoffJitter.Full), highest), 250);
    assert.equal(backoffDelayMs(2, policy(BackoffJitter.Full), () => 0.5), 500);
    assert.equal(backoffDelayMs(40, policy(BackoffJitter.Full), lowest), 0);
    assert.equal(backoffDelayMs(40, policy(BackoffJitter.Full), highest), 5_000);
  });

  it('equal: in [step/2, step], never below half a step', () => {
    assert.equal(backoffDelayMs(0, policy(BackoffJitter.Equal), lowest), 125);
    assert.equal(backoffDelayMs(0, policy(BackoffJitter.Equal), highest), 250);
    assert.equal(backoffDelayMs(3, policy(BackoffJitter.Equal), lowest), 1_000);
    assert.equal(backoffDelayMs(40, policy(BackoffJitter.Equal), lowest), 2_500);
    assert.equal(backoffDelayMs(40, policy(BackoffJitter.Equal), highest), 5_000);
  });

  it('stays within bounds for every jitter mode and many random draws', () => {
    for (const jitter of Object.values(BackoffJitter)) {
      for (let attempt = 0; attempt < 12; attempt += 1) {
        const step = Math.min(5_000, 250 * 2 ** attempt);
        const floor = jitter === BackoffJitter.Full ? 0 : jitter === BackoffJitter.Equal ? step / 2 : step;
        for (let draw = 0; draw < 50; draw += 1) {
          const delay = backoffDelayMs(attempt, policy(jitter));
          assert.ok(Number.isInteger(delay) && delay >= floor && delay <= step, `${jitter} attempt ${attempt}: ${delay}`);
        }
      }
    }
  });

  it('treats a negative attempt as the first', () => {
    assert.equal(backoffDelayMs(-3, policy(BackoffJitter.None)), 250);
  });

  it('refuses a policy whose steps make no sense', () => {
    assert.throws(() => backoffDelayMs(0, { initialMs: 0, maxMs: 10, jitter: 'none' }), RangeError);
    assert.throws(() => backoffDelayMs(0, { initialMs: 100, maxMs: 10, jitter: 'none' }), RangeError);
    assert.throws(() => backoffDelayMs(0, { initialMs: Number.NaN, maxMs: 10, jitter: 'none' }), RangeError);
  });
});

describe('abortableSleep', () => {
  it('resolves at once when the signal aborts, or is already aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = abortableSleep(60_000, controller.signal);
    controller.abort();
    await pending;
    await abortableSleep(60_000, controller.signal);
    assert.ok(Date.now() - started < 5_000);
  });

  it('resolves after the delay', async () => {
    await abortableSleep(5, new AbortController().signal);
  });
});
