import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backoffDelayMs } from '@shellgate/driver-sdk/backoff';

import { RECONNECT_BACKOFF } from './reconnect-backoff.js';

describe('RECONNECT_BACKOFF', () => {
  it('starts at up to 100 ms, doubles to a 5 s cap, and jitters over the whole step (full jitter)', () => {
    assert.equal(backoffDelayMs(0, RECONNECT_BACKOFF, () => 0.999_999), 100);
    assert.equal(backoffDelayMs(0, RECONNECT_BACKOFF, () => 0), 0);
    assert.equal(backoffDelayMs(3, RECONNECT_BACKOFF, () => 0.999_999), 800);
    assert.equal(backoffDelayMs(3, RECONNECT_BACKOFF, () => 0.5), 400);
    assert.equal(backoffDelayMs(50, RECONNECT_BACKOFF, () => 0.999_999), 5_000);
    assert.equal(backoffDelayMs(50, RECONNECT_BACKOFF, () => 0), 0);
  });
});
