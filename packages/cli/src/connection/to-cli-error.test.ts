import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { ExitCode } from '../exit-code.js';
import { formatCliError } from '../errors.js';
import type { CallContext } from './to-cli-error.js';
import { toCliError } from './to-cli-error.js';

const context: CallContext = {
  gateway: '127.0.0.1:17670',
  method: 'GetSandbox',
  subject: { kind: 'sandbox', name: 'x', workspace: 'default' },
  timeoutMs: 30_000,
};
const grpc = (code: status, details: string) => Object.assign(new Error(details), { code, details });

describe('toCliError', () => {
  // One row per gRPC status the gateway can answer with; this is the exit-code contract.
  const table: Array<[status, ExitCode]> = [
    [status.INVALID_ARGUMENT, ExitCode.Usage],
    [status.OUT_OF_RANGE, ExitCode.Usage],
    [status.NOT_FOUND, ExitCode.NotFound],
    [status.ALREADY_EXISTS, ExitCode.Conflict],
    [status.FAILED_PRECONDITION, ExitCode.Conflict],
    [status.ABORTED, ExitCode.Conflict],
    [status.UNAVAILABLE, ExitCode.Unavailable],
    [status.UNAUTHENTICATED, ExitCode.Unauthorized],
    [status.PERMISSION_DENIED, ExitCode.Unauthorized],
    [status.DEADLINE_EXCEEDED, ExitCode.Timeout],
    [status.CANCELLED, ExitCode.Interrupted],
    [status.UNIMPLEMENTED, ExitCode.Failed],
    [status.INTERNAL, ExitCode.Failed],
    [status.UNKNOWN, ExitCode.Failed],
    [status.RESOURCE_EXHAUSTED, ExitCode.Failed],
  ];
  for (const [code, exitCode] of table) {
    it(`maps ${status[code]} to exit ${exitCode}`, () => {
      const error = toCliError(grpc(code, 'some detail'), context);
      assert.equal(error.exitCode, exitCode);
      assert.equal(error.grpcCode, status[code]);
    });
  }

  it('names the sandbox and workspace on NOT_FOUND', () => {
    assert.equal(toCliError(grpc(status.NOT_FOUND, 'no row'), context).message, 'sandbox "x" not found in workspace "default"');
  });

  it("passes the gateway's INVALID_ARGUMENT message through, field name and all", () => {
    const error = toCliError(grpc(status.INVALID_ARGUMENT, 'spec.environment: at most 128 entries'), context);
    assert.equal(error.message, 'invalid request: spec.environment: at most 128 entries');
  });

  it('says what to do when the gateway is unreachable', () => {
    const details = 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:17670 (2025-01-01T00:00:00.000Z)';
    assert.equal(
      formatCliError(toCliError(grpc(status.UNAVAILABLE, details), context)),
      'cannot reach the gateway at 127.0.0.1:17670 (connection refused); is shellgate-gateway running? set --gateway or SHELLGATE_GATEWAY',
    );
    assert.match(toCliError(grpc(status.UNAVAILABLE, 'getaddrinfo ENOTFOUND nohost'), context).message, /\(host not found\)/);
  });

  it('keeps a server-side UNAVAILABLE apart from a transport failure', () => {
    const error = toCliError(grpc(status.UNAVAILABLE, 'driver docker is restarting'), context);
    assert.equal(error.message, 'the gateway at 127.0.0.1:17670 is unavailable: driver docker is restarting');
    assert.equal(error.exitCode, ExitCode.Unavailable);
  });

  it('names the timeout and how to raise it', () => {
    const error = toCliError(grpc(status.DEADLINE_EXCEEDED, 'Deadline exceeded'), context);
    assert.equal(formatCliError(error), 'GetSandbox timed out after 30s at the gateway 127.0.0.1:17670; raise --timeout, or check that the gateway is healthy');
  });

  it('wraps non-gRPC failures as exit 1', () => {
    assert.equal(toCliError(new Error('boom'), context).exitCode, ExitCode.Failed);
  });
});
