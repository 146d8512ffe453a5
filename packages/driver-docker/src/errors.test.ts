import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode } from '@shellgate/driver-sdk';

import { toDriverError } from './errors.js';
import { engineHttpError } from './testdata/fake-docker-engine.js';

// The mapping itself is pinned in @shellgate/container-engine (errors.test.ts); these pin Docker's words.
const context = { operation: 'inspect container c1', endpoint: 'unix:///var/run/docker.sock' };

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });
}

void describe('toDriverError (Docker)', () => {
  void it('names dockerd, the socket and DOCKER_HOST when the engine is unreachable', () => {
    const error = toDriverError(systemError('ECONNREFUSED'), context);
    assert.equal(error.code, ErrorCode.Unavailable);
    assert.equal(error.message, 'inspect container c1: cannot reach unix:///var/run/docker.sock (ECONNREFUSED)');
    assert.equal(error.hint, "is dockerd running? check that unix:///var/run/docker.sock is the engine's socket (docker_host / DOCKER_HOST)");
    assert.match(toDriverError(systemError('ENOENT'), { operation: 'ping' }).message, /cannot reach the Docker engine/);
  });

  void it('names the docker group on a permission error', () => {
    const error = toDriverError(systemError('EACCES'), { operation: 'ping' });
    assert.equal(error.code, ErrorCode.Unavailable);
    assert.equal(error.message, 'ping: permission denied on the Docker socket');
    assert.equal(error.hint, 'run the driver as a user that may use the Docker socket (root or the docker group)');
  });

  void it('keeps the engine reason for a refused request', () => {
    const error = toDriverError(engineHttpError(400, 'Minimum memory limit allowed is 6MB'), context);
    assert.equal(error.code, ErrorCode.InvalidArgument);
    assert.equal(error.message, 'inspect container c1: Minimum memory limit allowed is 6MB');
  });
});
