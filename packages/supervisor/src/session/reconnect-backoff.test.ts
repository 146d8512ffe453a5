import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconnectDelayMs } from './reconnect-backoff.js';

describe('reconnectDelayMs', () => {
  it('starts near 100 ms, doubles, and never exceeds 5 s, jittered within half a step', () => {
    assert.equal(reconnectDelayMs(0, () => 1), 100);
    assert.equal(reconnectDelayMs(0, () => 0), 50);
    assert.equal(reconnectDelayMs(3, () => 1), 800);
    assert.equal(reconnectDelayMs(50, () => 1), 5_000);
    assert.equal(reconnectDelayMs(50, () => 0), 2_500);
  });
});
