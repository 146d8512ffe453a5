import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode, InvalidArgumentError } from '@shellgate/driver-sdk';

import { toDriverError } from './errors.js';
import { engineHttpError } from './testdata/fake-docker-engine.js';

const context = { operation: 'inspect container c1', endpoint: 'unix:///var/run/docker.sock' };

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });
}

void describe('toDriverError', () => {
  void it('toDriverError maps 404 to NOT_FOUND', () => {
    assert.equal(toDriverError(engineHttpError(404, 'No such container: c1'), context).code, ErrorCode.NotFound);
    const sandboxError = toDriverError(engineHttpError(404, 'gone'), { ...context, sandboxId: 'sbx-1' });
    assert.equal(sandboxError.code, ErrorCode.NotFound);
    assert.match(sandboxError.message, /sbx-1/);
  });

  void it('toDriverError maps 409 to ALREADY_EXISTS', () => {
    assert.equal(toDriverError(engineHttpError(409, 'name in use'), context).code, ErrorCode.AlreadyExists);
  });

  void it('toDriverError maps 400 to INVALID_ARGUMENT', () => {
    const error = toDriverError(engineHttpError(400, 'Minimum memory limit allowed is 6MB'), context);
    assert.equal(error.code, ErrorCode.InvalidArgument);
    assert.equal(error.message, 'inspect container c1: Minimum memory limit allowed is 6MB');
  });

  void it('toDriverError maps an unreachable socket to UNAVAILABLE', () => {
    for (const code of ['ECONNREFUSED', 'ENOENT']) {
      const error = toDriverError(systemError(code), context);
      assert.equal(error.code, ErrorCode.Unavailable);
      assert.match(error.hint ?? '', /dockerd running/);
      assert.match(error.hint ?? '', /docker\.sock/);
    }
  });

  void it('toDriverError maps a permission error on the socket to UNAVAILABLE', () => {
    assert.equal(toDriverError(systemError('EACCES'), context).code, ErrorCode.Unavailable);
  });

  void it('toDriverError maps anything else to INTERNAL and keeps the cause', () => {
    const cause = engineHttpError(500, 'driver failed programming external connectivity');
    const error = toDriverError(cause, context);
    assert.equal(error.code, ErrorCode.Internal);
    assert.equal(error.cause, cause);
    assert.ok(!error.message.includes('external connectivity'), 'the engine detail stays in the log');
  });

  void it('passes Shellgate errors through unchanged', () => {
    const original = new InvalidArgumentError('bad');
    assert.equal(toDriverError(original, context), original);
  });
});
