import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServerCredentials } from '@grpc/grpc-js';
import { ServiceStatus } from '@shellgate/api';
import { FakeGateway, runShellgate } from '../test-support/fake-gateway.test.helper.js';

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makePki(dir: string): void {
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 30_000 });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
  for (const name of ['server', 'client']) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(join(dir, `${name}.ext`), name === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

describe('TLS', { skip: hasOpenssl() ? false : 'openssl is not installed' }, () => {
  let dir: string;
  let gateway: FakeGateway;
  const file = (name: string): string => join(dir, name);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shellgate-tls-'));
    makePki(dir);
    const read = (name: string): Buffer => readFileSync(file(name));
    // Mutual TLS: the server checks the client certificate against the same CA.
    const credentials = ServerCredentials.createSsl(read('ca.pem'), [{ private_key: read('server.key'), cert_chain: read('server.pem') }], true);
    gateway = await FakeGateway.start(
      { health: (_call, callback) => callback(null, { status: ServiceStatus.SERVICE_STATUS_HEALTHY, version: 'tls' }) },
      credentials,
    );
  });
  after(async () => {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects over https:// with --tls-ca and a client certificate', async () => {
    const result = await runShellgate([
      'gateway', 'health', '--gateway', `https://${gateway.address}`,
      '--tls-ca', file('ca.pem'), '--tls-cert', file('client.pem'), '--tls-key', file('client.key'),
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Healthy +tls/);
  });

  it('--tls-ca alone turns TLS on for a bare host:port; without the client cert the server refuses (exit 5)', async () => {
    const result = await runShellgate(['gateway', 'health', '--gateway', gateway.address, '--tls-ca', file('ca.pem'), '--timeout', '5s']);
    assert.equal(result.code, 5);
    assert.match(result.stderr, /cannot reach the gateway at 127\.0\.0\.1:\d+ \(/);
  });

  it('an untrusted gateway certificate is named as such', async () => {
    const result = await runShellgate(['gateway', 'health', '--gateway', `https://${gateway.address}`, '--timeout', '5s']);
    assert.equal(result.code, 5);
    assert.match(result.stderr, /TLS handshake failed: the gateway certificate is not trusted\); check --tls-ca/);
  });

  it('https:// to a plaintext gateway says it does not speak TLS', async () => {
    const plain = await FakeGateway.start({});
    try {
      const result = await runShellgate(['gateway', 'health', '--gateway', `https://${plain.address}`, '--timeout', '5s']);
      assert.equal(result.code, 5);
      assert.match(result.stderr, /TLS handshake failed: the gateway does not speak TLS\)/);
    } finally {
      await plain.close();
    }
  });
});
