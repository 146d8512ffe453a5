import { ErrorCode, ShellgateError } from '../errors.js';

/** A fake-gateway wait ran out of time; the message names what was awaited and the last state seen. */
export class FakeGatewayTimeoutError extends ShellgateError {
  /** What the test waited for, e.g. `sandbox "sbx-1" in phase Ready`. */
  readonly awaited: string;
  readonly timeoutMs: number;
  constructor(awaited: string, timeoutMs: number, lastSeen: string) {
    super(ErrorCode.DeadlineExceeded, `fake gateway waited ${timeoutMs} ms for ${awaited}; last seen: ${lastSeen}`, {
      hint: 'check that the driver publishes this change on its watch stream (WatchHub.publishSandbox/publishDeleted), or raise timeoutMs for a slow backend',
      details: { awaited, timeoutMs, lastSeen },
    });
    this.name = 'FakeGatewayTimeoutError';
    this.awaited = awaited;
    this.timeoutMs = timeoutMs;
  }
}

/** The fake gateway was closed while a test was still waiting on it. */
export class FakeGatewayClosedError extends ShellgateError {
  constructor(awaited: string) {
    super(ErrorCode.Cancelled, `fake gateway closed while waiting for ${awaited}`, {
      hint: 'close the fake gateway only after the waits you started have settled',
      details: { awaited },
    });
    this.name = 'FakeGatewayClosedError';
  }
}
