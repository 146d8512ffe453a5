import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toExitStatus } from './exit-status.js';

describe('toExitStatus', () => {
  it('keeps a plain exit code and turns a signal (by name or number) into 128 + n', () => {
    assert.deepEqual(toExitStatus(3, null), { exitCode: 3, signal: '' });
    assert.deepEqual(toExitStatus(null, 'SIGKILL'), { exitCode: 137, signal: 'SIGKILL' });
    assert.deepEqual(toExitStatus(0, 15), { exitCode: 143, signal: 'SIGTERM' });
    assert.deepEqual(toExitStatus(0, 0), { exitCode: 0, signal: '' });
  });
});
