import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toDriverError } from './errors.js';

const CONTEXT = { operation: 'create pod p', server: 'https://10.244.0.1:16443' };

function apiError(code: number, message: string): Error {
  return Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify({ kind: 'Status', message }) });
}

describe('toDriverError', () => {
  it('maps API statuses to gRPC codes, keeping the server message', () => {
    assert.equal(toDriverError(apiError(404, 'pods "p" not found'), CONTEXT).code, 'NOT_FOUND');
    assert.equal(toDriverError(apiError(409, 'already exists'), CONTEXT).code, 'ALREADY_EXISTS');
    assert.equal(toDriverError(apiError(422, 'Pod "p" is invalid'), CONTEXT).code, 'INVALID_ARGUMENT');
    const forbidden = toDriverError(apiError(403, 'pods is forbidden: User "x" cannot create resource "pods"'), CONTEXT);
    assert.equal(forbidden.code, 'FAILED_PRECONDITION');
    assert.match(forbidden.message, /User "x" cannot create resource "pods"/);
    assert.match(forbidden.message, /10\.244\.0\.1:16443/);
    assert.equal(toDriverError(apiError(401, 'Unauthorized'), CONTEXT).code, 'UNAVAILABLE');
    assert.equal(toDriverError(apiError(503, 'unavailable'), CONTEXT).code, 'UNAVAILABLE');
    assert.equal(toDriverError(apiError(418, 'teapot'), CONTEXT).code, 'INTERNAL');
  });

  it('an unreachable server or a timeout is UNAVAILABLE', () => {
    const refused = Object.assign(new Error('request failed'), { code: 'ECONNREFUSED' });
    assert.equal(toDriverError(refused, CONTEXT).code, 'UNAVAILABLE');
    const aborted = Object.assign(new Error('aborted'), { name: 'AbortError' });
    assert.equal(toDriverError(aborted, CONTEXT).code, 'UNAVAILABLE');
  });
});
