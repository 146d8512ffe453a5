// Upstream's Python SDK against a real gateway (issue 15): `openshell==0.0.116` from PyPI
// (installed by scripts/tools/openshell-sdk.sh, never skipped) makes every call of our subset
// over TLS with a client certificate and a bearer token, through the fake driver; and the
// newest 0.1.x SDK, which speaks a revised wire, gets a clear FAILED_PRECONDITION instead of a
// silently wrong answer. Exec, exec_python and sandbox logs need a real sandbox: they are in
// openshell-sdk-docker.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { uniqueSandboxName } from '../docker/e2e-run.js';
import { fakeDriverTable } from '../harness/fake-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { makeTestPki, toGatewayMtlsToml, type TestPki } from '../harness/test-pki.js';
import { SDK_INSTALL_TIMEOUT_MS, SDK_PHASE, SdkClient, installSdk, writeGatewayConfig, type SdkConnection, type SdkSandboxRef } from './openshell-sdk-client.js';

const TOKEN = 'an-interop-api-token-0123456789';
const WORKSPACE = 'default';

interface SdkWorkspaceRef {
  readonly name: string;
  readonly phase: string;
  readonly labels: Record<string, string>;
}

describe('upstream Python SDK (openshell 0.0.116) against the gateway: TLS, client certificate, bearer token, fake driver', { timeout: SDK_INSTALL_TIMEOUT_MS + 90_000 }, () => {
  let python = '';
  let python01 = '';
  let gateway: GatewayProcess;
  let pki: TestPki;
  let endpoint = '';
  let sdk: SdkClient;
  const opened: SdkClient[] = [];

  async function connect(pythonPath: string, connection: Partial<SdkConnection> = {}): Promise<{ client: SdkClient; sdkVersion: string }> {
    const started = await SdkClient.start(pythonPath, { endpoint, caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey, token: TOKEN, ...connection });
    opened.push(started.client);
    return started;
  }

  before(async () => {
    [python, python01] = await Promise.all([installSdk('0.0.116'), installSdk('0.1')]);
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-sdk-'));
    pki = makeTestPki(stateDir);
    const tokenFile = join(stateDir, 'api-token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    gateway = await GatewayProcess.start({
      stateDir,
      configToml: [
        `auth_token_file = ${JSON.stringify(tokenFile)}`,
        ...toGatewayMtlsToml(pki),
        fakeDriverTable('fake', stateDir),
      ].join('\n'),
    });
    endpoint = gateway.address.replace('127.0.0.1', 'localhost');
    const started = await connect(python);
    assert.equal(started.sdkVersion, '0.0.116', 'the venv runs the pinned SDK');
    sdk = started.client;
  });

  after(async () => {
    for (const client of opened) await client.close();
    await gateway?.stop();
    gateway?.removeState();
  });

  it('Health answers without the token; every other call needs it; without a client certificate there is no connection', async () => {
    const health = await sdk.call<{ status: string; version: string }>('health');
    assert.equal(health.status, 'SERVICE_STATUS_HEALTHY');
    assert.notEqual(health.version, '');

    const { client: noToken } = await connect(python, { token: '' });
    assert.equal((await noToken.call<{ status: string }>('health')).status, 'SERVICE_STATUS_HEALTHY', 'Health needs no token, as upstream');
    assert.equal((await noToken.callError('list', { workspace: WORKSPACE })).code, 'UNAUTHENTICATED');
    const { client: wrongToken } = await connect(python, { token: 'not-the-token-at-all-0123456789' });
    assert.equal((await wrongToken.callError('list', { workspace: WORKSPACE })).code, 'UNAUTHENTICATED');
    const { client: noCertificate } = await connect(python, { certFile: undefined, keyFile: undefined, timeoutSeconds: 5 });
    assert.equal((await noCertificate.callError('health')).code, 'UNAVAILABLE', 'the TLS layer refuses a client without a certificate');

    const info = await sdk.call<{ compute_drivers: { name: string }[] }>('gateway_info');
    assert.deepEqual(info.compute_drivers.map((driver) => driver.name), ['fake']);
    assert.equal((await sdk.callError('inference_get_route', { workspace: WORKSPACE })).code, 'UNIMPLEMENTED', 'inference routes are outside our subset (docs/interop.md)');
  });

  it('create, get, list (one workspace, all, ids, labels, paging) and wait_ready', async () => {
    const names = [uniqueSandboxName('sdk'), uniqueSandboxName('sdk')];
    const created: SdkSandboxRef[] = [];
    for (const [index, name] of names.entries()) {
      created.push(await sdk.call<SdkSandboxRef>('create', { workspace: WORKSPACE, name, labels: { suite: 'sdk', index: String(index) } }));
    }
    assert.equal(created[0]!.name, names[0]);
    assert.equal(created[0]!.workspace, WORKSPACE);
    assert.notEqual(created[0]!.id, '');
    const ready = await sdk.call<SdkSandboxRef>('wait_ready', { name: names[0], workspace: WORKSPACE, timeout_seconds: 30 });
    assert.equal(ready.status.phase, SDK_PHASE.READY);
    assert.deepEqual(ready.labels, { suite: 'sdk', index: '0' });

    const got = await sdk.call<SdkSandboxRef>('get', { name: names[1], workspace: WORKSPACE });
    assert.equal(got.id, created[1]!.id);

    const listed = await sdk.call<SdkSandboxRef[]>('list', { workspace: WORKSPACE, label_selector: 'suite=sdk' });
    assert.deepEqual(listed.map((s) => s.name).sort(), [...names].sort());
    assert.deepEqual(
      (await sdk.call<SdkSandboxRef[]>('list', { workspace: WORKSPACE, label_selector: 'suite=sdk,index=1' })).map((s) => s.name),
      [names[1]],
    );
    const page = await sdk.call<SdkSandboxRef[]>('list', { workspace: WORKSPACE, label_selector: 'suite=sdk', limit: 1, offset: 1 });
    assert.equal(page.length, 1, 'limit and offset page the list');
    const all = await sdk.call<SdkSandboxRef[]>('list_for_all_workspaces', { label_selector: 'suite=sdk' });
    assert.equal(all.length, 2);
    assert.deepEqual((await sdk.call<string[]>('list_ids', { workspace: WORKSPACE, label_selector: 'suite=sdk' })).sort(), created.map((s) => s.id).sort());

    for (const name of names) assert.equal(await sdk.call('delete', { name, workspace: WORKSPACE }), true);
    for (const name of names) await sdk.call('wait_deleted', { name, workspace: WORKSPACE, timeout_seconds: 30 });
  });

  it('stop and start, seen through get, wait_stopped and WatchSandbox', async () => {
    const name = uniqueSandboxName('stop');
    const sandbox = await sdk.call<SdkSandboxRef>('create', { workspace: WORKSPACE, name });
    await sdk.call('wait_ready', { name, workspace: WORKSPACE, timeout_seconds: 30 });
    await sdk.call('stop', { name, workspace: WORKSPACE });
    assert.equal((await sdk.call<SdkSandboxRef>('wait_stopped', { name, workspace: WORKSPACE, timeout_seconds: 30 })).status.phase, SDK_PHASE.STOPPED);
    await sdk.call('start', { name, workspace: WORKSPACE });
    const events = await sdk.call<{ sandbox?: { metadata: { id: string }; status: { phase: string } } }[]>('watch', {
      id: sandbox.id,
      follow_status: true,
      until_phase: 'SANDBOX_PHASE_READY',
      seconds: 30,
    });
    const phases = events.flatMap((event) => (event.sandbox === undefined ? [] : [event.sandbox.status.phase]));
    assert.equal(phases.at(-1), 'SANDBOX_PHASE_READY', `the watch saw the start through: ${phases.join(', ')}`);
    assert.ok(events.every((event) => event.sandbox === undefined || event.sandbox.metadata.id === sandbox.id));
    assert.equal(await sdk.call('delete', { name, workspace: WORKSPACE }), true);
  });

  it('openshell.Sandbox(...) finds the gateway where upstream\'s CLI leaves it (https, mTLS files, token): Ready on enter, deleted on exit', async () => {
    const configHome = writeGatewayConfig(join(gateway.stateDir, 'xdg'), 'shellgate', {
      url: `https://${endpoint}`,
      token: TOKEN,
      caFile: pki.caCert,
      certFile: pki.clientCert,
      keyFile: pki.clientKey,
    });
    const { client } = await connect(python, { configHome });
    const result = await client.call<{ sandbox: SdkSandboxRef }>('sandbox_context', { gateway: 'shellgate', workspace: WORKSPACE }, 120_000);
    assert.equal(result.sandbox.status.phase, SDK_PHASE.READY);
    assert.equal((await sdk.callError('get', { name: result.sandbox.name, workspace: WORKSPACE })).code, 'NOT_FOUND', 'the context deleted its sandbox');
  });

  it('as upstream: deleting an unknown sandbox is NOT_FOUND, an empty name INVALID_ARGUMENT, a spec.policy is refused', async () => {
    const name = uniqueSandboxName('gone');
    await sdk.call('create', { workspace: WORKSPACE, name });
    assert.equal(await sdk.call('delete', { name, workspace: WORKSPACE }), true);
    await sdk.call('wait_deleted', { name, workspace: WORKSPACE, timeout_seconds: 30 });
    assert.equal((await sdk.callError('delete', { name, workspace: WORKSPACE })).code, 'NOT_FOUND');
    assert.equal((await sdk.callError('get', { name, workspace: WORKSPACE })).code, 'NOT_FOUND');
    assert.equal((await sdk.callError('get', { name: '', workspace: WORKSPACE })).code, 'INVALID_ARGUMENT');
    assert.equal((await sdk.callError('stop', { name: '', workspace: WORKSPACE })).code, 'INVALID_ARGUMENT');
    const policy = await sdk.callError('create', { workspace: WORKSPACE, name: uniqueSandboxName('pol'), policy: true });
    assert.equal(policy.code, 'INVALID_ARGUMENT');
    assert.match(policy.details, /spec\.policy/);
  });

  it('GetSandboxLogs takes upstream source names and levels in any case', async () => {
    const name = uniqueSandboxName('logs');
    const sandbox = await sdk.call<SdkSandboxRef>('create', { workspace: WORKSPACE, name });
    for (const sources of [['gateway'], ['sandbox'], ['GATEWAY', 'sandbox'], ['main', 'supervisor']]) {
      const logs = await sdk.call<{ logs?: unknown[] }>('logs', { sandbox_id: sandbox.id, sources, min_level: 'info' });
      assert.ok(Array.isArray(logs.logs ?? []), `sources ${sources.join(',')} answered`);
    }
    assert.equal((await sdk.callError('logs', { sandbox_id: sandbox.id, min_level: 'LOUD' })).code, 'INVALID_ARGUMENT');
    assert.equal(await sdk.call('delete', { name, workspace: WORKSPACE }), true);
  });

  it('workspaces: create, get, list, delete; an unknown one is NOT_FOUND; the default one cannot be deleted', async () => {
    const name = `ws-${uniqueSandboxName('w').slice(1)}`;
    const created = await sdk.call<SdkWorkspaceRef>('workspace_create', { name, labels: { team: 'interop' } });
    assert.deepEqual(created, { name, phase: 'WORKSPACE_PHASE_ACTIVE', labels: { team: 'interop' } });
    assert.deepEqual(await sdk.call('workspace_get', { name }), created);
    assert.deepEqual((await sdk.call<SdkWorkspaceRef[]>('workspace_list', { label_selector: 'team=interop' })).map((w) => w.name), [name]);
    assert.ok((await sdk.call<SdkWorkspaceRef[]>('workspace_list')).some((w) => w.name === WORKSPACE));

    const sandboxName = uniqueSandboxName('inws');
    const inWorkspace = await sdk.call<SdkSandboxRef>('create', { workspace: name, name: sandboxName });
    assert.equal(inWorkspace.workspace, name);
    assert.deepEqual((await sdk.call<SdkSandboxRef[]>('list', { workspace: name })).map((s) => s.name), [sandboxName]);
    assert.equal((await sdk.callError('get', { name: sandboxName, workspace: WORKSPACE })).code, 'NOT_FOUND', 'a sandbox is found in its own workspace only');
    assert.equal(await sdk.call('delete', { name: sandboxName, workspace: name }), true);
    await sdk.call('wait_deleted', { name: sandboxName, workspace: name, timeout_seconds: 30 });

    assert.equal(await sdk.call('workspace_delete', { name }), true);
    assert.equal((await sdk.callError('workspace_get', { name })).code, 'NOT_FOUND');
    assert.equal((await sdk.callError('workspace_delete', { name })).code, 'NOT_FOUND');
    assert.equal((await sdk.callError('workspace_delete', { name: WORKSPACE })).code, 'FAILED_PRECONDITION');
  });

  it('the 0.1.x SDK (revised wire) gets FAILED_PRECONDITION naming our API revision and the client that matches, never a wrong answer', async () => {
    const name = uniqueSandboxName('rev');
    await sdk.call('create', { workspace: WORKSPACE, name });
    const { client: newer, sdkVersion } = await connect(python01);
    assert.match(sdkVersion, /^0\.1\./);
    assert.equal((await newer.call<{ status: string }>('health')).status, 'SERVICE_STATUS_HEALTHY', 'Health has the same shape in both revisions');
    for (const [call, args] of [
      ['list', { workspace: WORKSPACE }],
      ['get', { name, workspace: WORKSPACE }],
      ['delete', { name, workspace: WORKSPACE }],
      ['create', { workspace: WORKSPACE, name: uniqueSandboxName('rev') }],
    ] as const) {
      const error = await newer.callError(call, args);
      assert.equal(error.code, 'FAILED_PRECONDITION', `${call}: ${error.details}`);
      assert.match(error.details, /0\.0\.116/, `${call} names the revision and client release`);
    }
    assert.equal((await sdk.call<SdkSandboxRef>('get', { name, workspace: WORKSPACE })).name, name, 'the refused delete deleted nothing');
    assert.equal(await sdk.call('delete', { name, workspace: WORKSPACE }), true);
  });
});

// Issue 15, item 7: upstream drivers report a stopped container as Ready=False ContainerExited,
// never Suspended=True. The fake driver reports stops that way here; through the SDK a stop
// must read Stopped (not a sticky Error), and a graceful gateway restart, which stops and then
// starts lifecycle-managed sandboxes, must bring them back Ready.
describe('upstream Python SDK against a driver that reports stops as upstream drivers do', { timeout: SDK_INSTALL_TIMEOUT_MS + 90_000 }, () => {
  it('stop reads Stopped, start Ready; a graceful gateway restart stops and starts the sandbox again, never Error', async () => {
    const python = await installSdk('0.0.116');
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-sdk-stop-'));
    const configToml = fakeDriverTable('fake', stateDir, ['gateway_manages_lifecycle = true', 'stop_reported_as = "container_exited"']);
    const sdkOf = async (gateway: GatewayProcess): Promise<SdkClient> => (await SdkClient.start(python, { endpoint: gateway.address })).client;
    const first = await GatewayProcess.start({ stateDir, configToml });
    const firstSdk = await sdkOf(first);
    const [kept, stopped] = [uniqueSandboxName('kept'), uniqueSandboxName('stopped')];
    try {
      for (const name of [kept, stopped]) {
        await firstSdk.call('create', { workspace: WORKSPACE, name });
        await firstSdk.call('wait_ready', { name, workspace: WORKSPACE, timeout_seconds: 30 });
      }
      await firstSdk.call('stop', { name: stopped, workspace: WORKSPACE });
      assert.equal((await firstSdk.call<SdkSandboxRef>('wait_stopped', { name: stopped, workspace: WORKSPACE, timeout_seconds: 30 })).status.phase, SDK_PHASE.STOPPED);
      await firstSdk.call('start', { name: stopped, workspace: WORKSPACE });
      await firstSdk.call('wait_ready', { name: stopped, workspace: WORKSPACE, timeout_seconds: 30 });
      await firstSdk.call('stop', { name: stopped, workspace: WORKSPACE });
      await firstSdk.call('wait_stopped', { name: stopped, workspace: WORKSPACE, timeout_seconds: 30 });
    } finally {
      await firstSdk.close();
      await first.stop('SIGTERM');
    }
    assert.equal(first.exitCode, 0);
    assert.equal(first.entries((e) => e.message === 'sandbox stop for gateway lifecycle').length, 1, 'the running sandbox was stopped at shutdown');

    const second = await GatewayProcess.start({ stateDir, configToml });
    const secondSdk = await sdkOf(second);
    try {
      assert.equal((await secondSdk.call<SdkSandboxRef>('wait_ready', { name: kept, workspace: WORKSPACE, timeout_seconds: 30 })).status.phase, SDK_PHASE.READY, 'started again, not Error');
      assert.equal((await secondSdk.call<SdkSandboxRef>('get', { name: stopped, workspace: WORKSPACE })).status.phase, SDK_PHASE.STOPPED, 'the one the user stopped stays stopped');
      await secondSdk.call('start', { name: stopped, workspace: WORKSPACE });
      await secondSdk.call('wait_ready', { name: stopped, workspace: WORKSPACE, timeout_seconds: 30 });
    } finally {
      await secondSdk.close();
      await second.stop();
      second.removeState();
    }
  });
});
