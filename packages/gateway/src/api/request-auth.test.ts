import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import { ErrorCode, isShellgateError } from '@shellgate/driver-sdk';
import { checkBearerToken } from './request-auth.js';

function withAuthorization(value?: string): Metadata {
  const metadata = new Metadata();
  if (value !== undefined) metadata.set('authorization', value);
  return metadata;
}

function refuses(token: string | undefined, header: string | undefined, message: RegExp): void {
  assert.throws(() => checkBearerToken({ bearerToken: token }, withAuthorization(header)), (error: unknown) => {
    assert.ok(isShellgateError(error));
    assert.equal(error.code, ErrorCode.Unauthenticated);
    assert.match(error.message, message);
    assert.ok(!error.describe().includes('s3cret'), 'the expected token is never echoed');
    return true;
  });
}

describe('checkBearerToken', () => {
  it('lets every call through when no token is configured', () => {
    checkBearerToken({ bearerToken: undefined }, withAuthorization());
    checkBearerToken({ bearerToken: undefined }, withAuthorization('Bearer anything'));
  });

  it('accepts the configured token', () => {
    checkBearerToken({ bearerToken: 's3cret' }, withAuthorization('Bearer s3cret'));
  });

  it('refuses a missing header or another scheme', () => {
    refuses('s3cret', undefined, /requires a bearer token/);
    refuses('s3cret', 'Basic s3cret', /requires a bearer token/);
    refuses('s3cret', 's3cret', /requires a bearer token/);
  });

  it('refuses a wrong token, including a prefix or an extension of the right one', () => {
    refuses('s3cret', 'Bearer wrong!', /not valid/);
    refuses('s3cret', 'Bearer s3cre', /not valid/);
    refuses('s3cret', 'Bearer s3crett', /not valid/);
    refuses('s3cret', 'Bearer ', /not valid/);
  });
});
