import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode, isShellgateError } from '@shellgate/driver-sdk';

import { FakeKubeApi } from '../testdata/fake-kube-api.js';
import { findSupervisorTlsSecret, toSupervisorTlsMount, toSupervisorTlsVolume } from './supervisor-tls-secret.js';

const HTTPS = 'https://10.244.0.1:17670';
const PEM = Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64');

function apiWith(data: Record<string, string> | undefined): FakeKubeApi {
  const api = new FakeKubeApi();
  if (data !== undefined) api.secrets.set('gw-tls', { metadata: { name: 'gw-tls' }, data });
  return api;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isShellgateError(error) && error.code === ErrorCode.InvalidArgument, String(error));
    return error.describe();
  }
  assert.fail('expected INVALID_ARGUMENT');
}

describe('supervisor_tls_secret', () => {
  const signal = AbortSignal.timeout(5_000);

  it('a Secret with ca.crt alone: the CA mounted read-only at the SDK path', async () => {
    const tls = await findSupervisorTlsSecret(apiWith({ 'ca.crt': PEM }), 'gw-tls', HTTPS, signal);
    assert.deepEqual(tls, { name: 'gw-tls', hasClientCertificate: false });
    assert.deepEqual(toSupervisorTlsVolume(tls).secret, { secretName: 'gw-tls', items: [{ key: 'ca.crt', path: 'ca.pem' }], defaultMode: 0o444 });
    assert.deepEqual(toSupervisorTlsMount(), { name: 'shellgate-tls', mountPath: '/opt/shellgate/tls', readOnly: true });
  });

  it('with tls.crt and tls.key (what cert-manager writes): the client certificate too', async () => {
    const tls = await findSupervisorTlsSecret(apiWith({ 'ca.crt': PEM, 'tls.crt': PEM, 'tls.key': PEM }), 'gw-tls', HTTPS, signal);
    assert.deepEqual(toSupervisorTlsVolume(tls).secret?.items?.map((item) => item.path), ['ca.pem', 'client.pem', 'client-key.pem']);
    assert.equal(tls.hasClientCertificate, true);
  });

  it('refuses a missing Secret, one without ca.crt, half a client pair, and an http gateway, saying what to do', async () => {
    assert.match(await refusal(findSupervisorTlsSecret(apiWith(undefined), 'gw-tls', HTTPS, signal)), /Secret "gw-tls" in namespace "sg-test" does not exist.*kubectl -n sg-test create secret generic gw-tls/s);
    assert.match(await refusal(findSupervisorTlsSecret(apiWith({ 'tls.crt': PEM, 'tls.key': PEM }), 'gw-tls', HTTPS, signal)), /has no ca\.crt/);
    assert.match(await refusal(findSupervisorTlsSecret(apiWith({ 'ca.crt': PEM, 'tls.crt': PEM }), 'gw-tls', HTTPS, signal)), /only one of tls\.crt and tls\.key/);
    assert.match(await refusal(findSupervisorTlsSecret(apiWith({ 'ca.crt': PEM }), 'gw-tls', 'http://10.244.0.1:17670', signal)), /is not https/);
  });
});
