// Standard gRPC tooling against a real gateway (issue 15, item 5): grpcurl, built from Go
// modules by scripts/tools/grpcurl.sh, lists our services through server reflection and calls
// grpc.health.v1.Health, all without the bearer token the gateway requires for its API.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fakeDriverTable } from '../harness/fake-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { REPO_ROOT } from '../docker/docker-engine.js';

const run = promisify(execFile);
/** A first build downloads grpcurl's modules: minutes on a loaded machine. */
const BUILD_TIMEOUT_MS = 10 * 60_000;
const CALL_TIMEOUT_MS = 30_000;

describe('grpcurl against the gateway', { timeout: BUILD_TIMEOUT_MS + 60_000 }, () => {
  let grpcurl: string;
  let gateway: GatewayProcess;
  const grpcurlRun = async (...args: string[]): Promise<string> =>
    (await run(grpcurl, ['-plaintext', ...args], { timeout: CALL_TIMEOUT_MS })).stdout;

  before(async () => {
    grpcurl = (await run('bash', [join(REPO_ROOT, 'scripts', 'tools', 'grpcurl.sh')], { timeout: BUILD_TIMEOUT_MS })).stdout.trim();
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-'));
    const tokenFile = join(stateDir, 'api-token');
    writeFileSync(tokenFile, 'a-long-random-api-token-0123456789\n', { mode: 0o600 });
    gateway = await GatewayProcess.start({ stateDir, configToml: [`auth_token_file = ${JSON.stringify(tokenFile)}`, fakeDriverTable('fake', stateDir)].join('\n') });
  });

  after(async () => {
    await gateway?.stop();
  });

  it('lists the API, health and reflection services through reflection', async () => {
    const services = (await grpcurlRun(gateway.address, 'list')).trim().split('\n');
    for (const service of ['openshell.v1.OpenShell', 'shellgate.supervisor.v1.SupervisorSession', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection']) {
      assert.ok(services.includes(service), `${service} not in:\n${services.join('\n')}`);
    }
    assert.match(await grpcurlRun(gateway.address, 'describe', 'openshell.v1.OpenShell.DeleteSandbox'), /rpc DeleteSandbox/);
  });

  it('answers Health/Check per service without the bearer token', async () => {
    const check = async (service: string): Promise<unknown> =>
      JSON.parse(await grpcurlRun('-d', JSON.stringify({ service }), gateway.address, 'grpc.health.v1.Health/Check'));
    assert.deepEqual(await check('openshell.v1.OpenShell'), { status: 'SERVING' });
    assert.deepEqual(await check(''), { status: 'SERVING' });
    await assert.rejects(check('openshell.v1.NoSuchService'), /NotFound/);
    // The API itself still wants the token.
    await assert.rejects(grpcurlRun('-d', '{}', gateway.address, 'openshell.v1.OpenShell/ListSandboxes'), /Unauthenticated/);
  });
});
