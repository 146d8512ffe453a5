import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { ServiceStatus } from '@shellgate/api';
import { FakeGateway, grpcError, runShellgate } from '../test-support/fake-gateway.test.helper.js';

const TOKEN = 'sg-test-token-5f3a9c'; // a marker that must never reach stdout or stderr

describe('bearer token', () => {
  let gateway: FakeGateway;
  let dir: string;
  let tokenFile: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shellgate-cli-'));
    tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    gateway = await FakeGateway.start({
      health: (call, callback) => {
        const [value] = call.metadata.get('authorization');
        if (value !== `Bearer ${TOKEN}`) callback(grpcError(status.UNAUTHENTICATED, 'missing or bad bearer token'));
        else callback(null, { status: ServiceStatus.SERVICE_STATUS_HEALTHY, version: '1.2.3' });
      },
      getGatewayInfo: (_call, callback) => callback(grpcError(status.PERMISSION_DENIED, 'token lacks admin scope')),
    });
  });
  after(async () => {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is sent as "authorization: Bearer <token>" from --token-file, trimmed', async () => {
    const result = await runShellgate(['gateway', 'health', '--token-file', tokenFile], { gateway: gateway.address });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(gateway.calls.at(-1)?.metadata['authorization'], `Bearer ${TOKEN}`);
    assert.ok(!result.stdout.includes(TOKEN) && !result.stderr.includes(TOKEN));
  });

  it('comes from $SHELLGATE_TOKEN_FILE too, and is never printed, even in errors or -o yaml', async () => {
    const env = { SHELLGATE_TOKEN_FILE: tokenFile };
    for (const argv of [['gateway', 'health', '-o', 'yaml'], ['gateway', 'info'], ['gateway', 'info', '-o', 'json']]) {
      const result = await runShellgate(argv, { gateway: gateway.address, env });
      assert.equal(gateway.calls.at(-1)?.metadata['authorization'], `Bearer ${TOKEN}`);
      assert.ok(!result.stdout.includes(TOKEN) && !result.stderr.includes(TOKEN), argv.join(' '));
    }
  });

  it('missing token → UNAUTHENTICATED → exit 6 with what to do', async () => {
    const result = await runShellgate(['gateway', 'health'], { gateway: gateway.address });
    assert.equal(result.code, 6);
    assert.match(result.stderr, /refused the credentials: missing or bad bearer token; give a valid bearer token with --token-file or \$SHELLGATE_TOKEN_FILE/);
    assert.equal(gateway.calls.at(-1)?.metadata['authorization'], undefined);
  });

  it('PERMISSION_DENIED → exit 6', async () => {
    const result = await runShellgate(['gateway', 'info', '--token-file', tokenFile], { gateway: gateway.address });
    assert.equal(result.code, 6);
    assert.match(result.stderr, /permission denied for GetGatewayInfo: token lacks admin scope/);
  });

  it('an unreadable or empty token file is a usage error naming the file, not its content', async () => {
    const missing = await runShellgate(['gateway', 'health', '--token-file', join(dir, 'nope')], { gateway: gateway.address });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--token-file: cannot read .*nope \(ENOENT\)/);
    const empty = join(dir, 'empty');
    writeFileSync(empty, '  \n');
    const emptyResult = await runShellgate(['gateway', 'health'], { gateway: gateway.address, env: { SHELLGATE_TOKEN_FILE: empty } });
    assert.equal(emptyResult.code, 2);
    assert.match(emptyResult.stderr, /\$SHELLGATE_TOKEN_FILE: the token file .*empty is empty/);
  });

  it('warns before sending a token in plaintext off this machine', async () => {
    // 192.0.2.1 (TEST-NET-1) never answers; the short timeout ends the attempt.
    const result = await runShellgate(['gateway', 'health', '--token-file', tokenFile, '--gateway', '192.0.2.1:1', '--timeout', '100ms']);
    assert.match(result.stderr, /warning: sending a bearer token in plaintext to 192\.0\.2\.1:1/);
    assert.ok(!result.stderr.includes(TOKEN));
  });
});
