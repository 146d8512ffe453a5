import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode, InvalidArgumentError, toStorageError } from '@shellgate/driver-sdk';

import { EngineHostNotFoundError, engineMessageOf, toEngineDriverError } from './errors.js';
import { EngineHttpError } from './http/engine-http-error.js';
import { PODMAN_NAMING } from './testdata/podman-naming.js';

const context = { operation: 'inspect container c1', endpoint: 'unix:///run/podman/podman.sock' };

function httpError(statusCode: number, message: string): EngineHttpError {
  return new EngineHttpError('GET', '/containers/c1/json', statusCode, JSON.stringify({ message }));
}

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} /run/podman/podman.sock`), { code });
}

const map = (error: unknown, extra: { sandboxId?: string; endpoint?: string } = {}) => toEngineDriverError(error, { ...context, ...extra }, PODMAN_NAMING);

void describe('toEngineDriverError', () => {
  void it('maps 404 to NOT_FOUND', () => {
    assert.equal(map(httpError(404, 'no such container')).code, ErrorCode.NotFound);
    const sandboxError = map(httpError(404, 'gone'), { sandboxId: 'sbx-1' });
    assert.equal(sandboxError.code, ErrorCode.NotFound);
    assert.match(sandboxError.message, /sbx-1/);
  });

  void it('maps 409 to ALREADY_EXISTS', () => {
    assert.equal(map(httpError(409, 'name in use')).code, ErrorCode.AlreadyExists);
    assert.equal(map(httpError(409, 'name in use'), { sandboxId: 'sbx-1' }).code, ErrorCode.AlreadyExists);
  });

  void it('maps 400 to INVALID_ARGUMENT', () => {
    const error = map(httpError(400, 'Minimum memory limit allowed is 6MB'));
    assert.equal(error.code, ErrorCode.InvalidArgument);
    assert.equal(error.message, 'inspect container c1: Minimum memory limit allowed is 6MB');
  });

  void it('maps an unreachable socket to UNAVAILABLE, naming the socket', () => {
    for (const code of ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE']) {
      const error = map(systemError(code));
      assert.equal(error.code, ErrorCode.Unavailable, code);
      assert.equal(error.message, `inspect container c1: cannot reach unix:///run/podman/podman.sock (${code})`);
      assert.equal(error.hint, "is the Podman API service (podman system service) running? check that unix:///run/podman/podman.sock is the engine's socket (podman_socket / CONTAINER_HOST)");
    }
    assert.match(toEngineDriverError(systemError('ENOENT'), { operation: 'ping' }, PODMAN_NAMING).message, /cannot reach the Podman engine/);
  });

  void it('maps a permission error on the socket to UNAVAILABLE', () => {
    const error = map(systemError('EACCES'));
    assert.equal(error.code, ErrorCode.Unavailable);
    assert.equal(error.message, 'inspect container c1: permission denied on unix:///run/podman/podman.sock');
    assert.equal(error.hint, PODMAN_NAMING.permissionHint);
  });

  void it('passes a full state dir through as RESOURCE_EXHAUSTED naming it', () => {
    const full = toStorageError(systemError('ENOSPC'), '/var/lib/shellgate/driver-podman', 'write the token of sandbox "sbx-1"');
    const error = map(full, { sandboxId: 'sbx-1' });
    assert.equal(error.code, ErrorCode.ResourceExhausted);
    assert.match(error.message, /no space left on the filesystem holding \/var\/lib\/shellgate\/driver-podman/);
  });

  void it('maps anything else to INTERNAL and keeps the cause', () => {
    const cause = httpError(500, 'driver failed programming external connectivity');
    const error = map(cause);
    assert.equal(error.code, ErrorCode.Internal);
    assert.equal(error.cause, cause);
    assert.ok(!error.message.includes('external connectivity'), 'the engine detail stays in the log');
  });

  void it('passes Shellgate errors through unchanged', () => {
    const original = new InvalidArgumentError('bad');
    assert.equal(map(original), original);
  });
});

void describe('engineMessageOf', () => {
  void it("prefers the engine's JSON message, else the error's, else the value", () => {
    assert.equal(engineMessageOf(httpError(400, ' bad mount \n')), 'bad mount');
    assert.equal(engineMessageOf(new EngineHttpError('GET', '/x', 502, 'Bad Gateway')), 'GET /x: (HTTP code 502) Bad Gateway');
    assert.equal(engineMessageOf('plain'), 'plain');
  });
});

void describe('EngineHostNotFoundError', () => {
  void it("names the engine, every attempt and the engine's hint", () => {
    const error = new EngineHostNotFoundError(PODMAN_NAMING, ['rootless: a is not a socket', 'rootful: b is not a socket']);
    assert.equal(error.code, ErrorCode.FailedPrecondition);
    assert.equal(error.message, 'no Podman engine socket found (tried rootless: a is not a socket; rootful: b is not a socket)');
    assert.equal(error.hint, PODMAN_NAMING.hostNotFoundHint);
    assert.deepEqual(error.attempts, ['rootless: a is not a socket', 'rootful: b is not a socket']);
  });
});
