import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, isShellgateError } from '@shellgate/driver-sdk';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { SANDBOX_TOKEN_AUDIENCE, SandboxIdentity } from './sandbox-identity.js';

async function rejectsWithCode(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isShellgateError(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('SandboxIdentity', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shellgate-identity-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 0600 key in a 0700 directory on first load', () => {
    const keyPath = join(dir, 'state', 'key.pem');
    SandboxIdentity.loadOrCreate(keyPath, 'gw-1');
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'state')).mode & 0o777, 0o700);
    assert.match(readFileSync(keyPath, 'utf8'), /BEGIN PRIVATE KEY/);
  });

  it('mints an EdDSA JWT for the sandbox that verifies, and keeps verifying after a reload', async () => {
    const keyPath = join(dir, 'reuse', 'key.pem');
    const first = SandboxIdentity.loadOrCreate(keyPath, 'gw-1');
    const keyBefore = readFileSync(keyPath, 'utf8');
    const token = await first.mintToken('sb-1');
    assert.equal(decodeProtectedHeader(token).alg, 'EdDSA');
    const claims = decodeJwt(token);
    assert.equal(claims.sub, 'sb-1');
    assert.equal(claims.aud, SANDBOX_TOKEN_AUDIENCE);
    assert.equal(claims.exp, undefined);
    const second = SandboxIdentity.loadOrCreate(keyPath, 'gw-1');
    assert.equal(readFileSync(keyPath, 'utf8'), keyBefore, 'the key is reused, not replaced');
    const verified = await second.verifyToken(token, 'sb-1');
    assert.equal(verified.sandboxId, 'sb-1');
    assert.equal(verified.gatewayId, 'gw-1');
    assert.ok(verified.issuedAtSeconds > 0);
  });

  it('tightens a key file that was left readable by others', () => {
    const keyPath = join(dir, 'loose', 'key.pem');
    SandboxIdentity.loadOrCreate(keyPath, 'gw-1');
    chmodSync(keyPath, 0o644);
    SandboxIdentity.loadOrCreate(keyPath, 'gw-1');
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
  });

  it('refuses the token of another sandbox with PERMISSION_DENIED', async () => {
    const identity = SandboxIdentity.loadOrCreate(join(dir, 'other', 'key.pem'), 'gw-1');
    const token = await identity.mintToken('sb-1');
    await rejectsWithCode(identity.verifyToken(token, 'sb-2'), ErrorCode.PermissionDenied, /another sandbox.*"sb-2"/);
  });

  it('refuses tokens of another gateway, another key, tampered or malformed with UNAUTHENTICATED', async () => {
    const keyPath = join(dir, 'refuse', 'key.pem');
    const identity = SandboxIdentity.loadOrCreate(keyPath, 'gw-1');
    const otherGateway = SandboxIdentity.loadOrCreate(keyPath, 'gw-2');
    const otherKey = SandboxIdentity.loadOrCreate(join(dir, 'refuse-2', 'key.pem'), 'gw-1');
    await rejectsWithCode(identity.verifyToken(await otherGateway.mintToken('sb-1'), 'sb-1'), ErrorCode.Unauthenticated, /rejected/);
    await rejectsWithCode(identity.verifyToken(await otherKey.mintToken('sb-1'), 'sb-1'), ErrorCode.Unauthenticated, /rejected/);
    const [header, , signature] = (await identity.mintToken('sb-1')).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'sb-1', aud: SANDBOX_TOKEN_AUDIENCE, iss: 'shellgate-gateway:gw-1' })).toString('base64url');
    await rejectsWithCode(identity.verifyToken(`${header}.${forged}.${signature}`, 'sb-1'), ErrorCode.Unauthenticated, /rejected/);
    await rejectsWithCode(identity.verifyToken('not-a-jwt', 'sb-1'), ErrorCode.Unauthenticated, /rejected/);
  });

  it('refuses a key file that is not an Ed25519 PKCS#8 key', () => {
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'hello', { mode: 0o600 });
    assert.throws(() => SandboxIdentity.loadOrCreate(garbage, 'gw'), (error: unknown) => isShellgateError(error) && error.code === ErrorCode.FailedPrecondition && /cannot read/.test(error.message));
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    assert.throws(() => SandboxIdentity.loadOrCreate(rsa, 'gw'), (error: unknown) => isShellgateError(error) && error.code === ErrorCode.FailedPrecondition && /rsa, not ed25519/.test(error.message));
  });
});
