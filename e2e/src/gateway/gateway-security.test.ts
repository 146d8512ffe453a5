import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Metadata, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { CreateSandboxRequest, OpenShellClient } from '@shellgate/api';
import { fakeDriverTable } from '../harness/fake-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { runCli } from '../harness/run-cli.js';
import { makeTestPki, toGatewayMtlsToml } from '../harness/test-pki.js';

const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/;

describe('gateway API authentication', () => {
  it('requires the bearer token from auth_token_file', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-'));
    const tokenFile = join(stateDir, 'api-token');
    writeFileSync(tokenFile, 'a-long-random-api-token-0123456789\n', { mode: 0o600 });
    const gateway = await GatewayProcess.start({
      stateDir,
      configToml: [`auth_token_file = ${JSON.stringify(tokenFile)}`, fakeDriverTable('fake', stateDir)].join('\n'),
    });
    try {
      const denied = await runCli(['--gateway', gateway.address, 'sandbox', 'list']);
      assert.equal(denied.code, 6, `exit code for UNAUTHENTICATED; stderr: ${denied.stderr}`);
      assert.match(denied.stderr, /token/);
      const allowed = await runCli(['--gateway', gateway.address, '--token-file', tokenFile, 'sandbox', 'create', 'authed', '--wait']);
      assert.equal(allowed.code, 0, allowed.stderr);
      const wrongFile = join(stateDir, 'wrong-token');
      writeFileSync(wrongFile, 'not-the-right-token-at-all-xxxxx\n', { mode: 0o600 });
      assert.equal((await runCli(['--gateway', gateway.address, '--token-file', wrongFile, 'sandbox', 'list'])).code, 6);
      assert.ok(!gateway.lines.some((line) => line.includes('a-long-random-api-token')), 'the API token never reaches the log');
    } finally {
      await gateway.stop();
      gateway.removeState();
    }
  });

  it('refuses to start with a token file other users can read', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-'));
    const tokenFile = join(stateDir, 'api-token');
    writeFileSync(tokenFile, 'a-long-random-api-token-0123456789\n');
    chmodSync(tokenFile, 0o644);
    await assert.rejects(
      GatewayProcess.start({ stateDir, configToml: [`auth_token_file = ${JSON.stringify(tokenFile)}`, fakeDriverTable('fake', stateDir)].join('\n') }),
      /chmod 600/,
    );
  });

  it('serves TLS and, with tls_client_ca_file, only clients with a certificate it signed', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-'));
    const pki = makeTestPki(stateDir);
    const gateway = await GatewayProcess.start({
      stateDir,
      configToml: [
        ...toGatewayMtlsToml(pki),
        fakeDriverTable('fake', stateDir),
      ].join('\n'),
    });
    try {
      const url = `https://${gateway.address.replace('127.0.0.1', 'localhost')}`;
      const withCert = await runCli(['--gateway', url, '--tls-ca', pki.caCert, '--tls-cert', pki.clientCert, '--tls-key', pki.clientKey, 'gateway', 'health']);
      assert.equal(withCert.code, 0, withCert.stderr);
      const withoutCert = await runCli(['--gateway', url, '--tls-ca', pki.caCert, 'gateway', 'health']);
      assert.notEqual(withoutCert.code, 0, 'a client without a certificate is refused');
      const plaintext = await runCli(['--gateway', gateway.address, 'gateway', 'health'], {}, 10_000);
      assert.notEqual(plaintext.code, 0, 'plaintext is refused on a TLS listener');
    } finally {
      await gateway.stop();
      gateway.removeState();
    }
  });
});

describe('sandbox identity and callback listeners', () => {
  let gateway: GatewayProcess;
  let stateDir: string;

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-'));
    gateway = await GatewayProcess.start({
      stateDir,
      configToml: fakeDriverTable('fake', stateDir, ['[drivers.fake.listener_requirements.callbacks]', 'reason = "sandboxes call back here"', 'exact_bind_address = "127.0.0.2"']),
    });
  });

  after(async () => {
    await gateway.stop();
    gateway.removeState();
  });

  it('never shows the sandbox token in API responses or the gateway log', async () => {
    const created = await runCli(['--gateway', gateway.address, '-o', 'json', 'sandbox', 'create', 'ident', '--wait']);
    assert.equal(created.code, 0, created.stderr);
    const listed = await runCli(['--gateway', gateway.address, '-o', 'json', 'sandbox', 'get', 'ident']);
    for (const text of [created.stdout, listed.stdout, gateway.lines.join('\n')]) assert.doesNotMatch(text, JWT_PATTERN);
  });

  it('binds the callback listener a driver asked for, serving only sandbox-callable RPCs', async () => {
    const port = gateway.address.split(':')[1];
    const callbackAddress = `127.0.0.2:${port}`;
    assert.ok(gateway.entries((e) => e.message === 'callback listener bound' && e.address === callbackAddress).length === 1);
    const client = new OpenShellClient(callbackAddress, credentials.createInsecure());
    try {
      const health = await new Promise<unknown>((resolve, reject) => client.health({}, (e, r) => (e ? reject(e) : resolve(r))));
      assert.ok(health, 'Health answers on the callback listener');
      const error = await new Promise<ServiceError>((resolve) =>
        client.createSandbox(CreateSandboxRequest.fromPartial({ name: 'via-callback' }), new Metadata(), (e) => resolve(e!)),
      );
      assert.equal(error.code, GrpcStatus.PERMISSION_DENIED);
    } finally {
      client.close();
    }
  });
});
