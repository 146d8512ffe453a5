import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode, ShellgateError } from '../errors.js';
import { CallTracker } from './call-tracker.js';

describe('CallTracker', () => {
  it('aborts a call whose signal is first read after the abort, with the first reason', () => {
    const tracker = new CallTracker();
    const call = tracker.begin('unary');
    const first = new ShellgateError(ErrorCode.Cancelled, 'cancelled by the caller');
    call.abort(first);
    tracker.abort(new ShellgateError(ErrorCode.Unavailable, 'draining'));
    assert.equal(call.signal.aborted, true);
    assert.equal(call.signal.reason, first);
  });

  it('aborts a signal already handed out, and only calls of the given kind', () => {
    const tracker = new CallTracker();
    const unary = tracker.begin('unary');
    const stream = tracker.begin('stream');
    const unarySignal = unary.signal;
    const streamSignal = stream.signal;
    const reason = new ShellgateError(ErrorCode.Unavailable, 'draining');
    tracker.abort(reason, 'stream');
    assert.equal(streamSignal.reason, reason);
    assert.equal(unarySignal.aborted, false);
  });

  it('is idle once every call has finished, and no longer aborts finished calls', async () => {
    const tracker = new CallTracker();
    const call = tracker.begin('unary');
    const idle = tracker.waitForIdle(60_000);
    call.finish();
    assert.equal(await idle, true);
    tracker.abort(new ShellgateError(ErrorCode.Unavailable, 'draining'));
    assert.equal(call.signal.aborted, false);
    assert.equal(tracker.size, 0);
  });
});
