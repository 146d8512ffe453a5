import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SandboxPhase } from '@shellgate/api';
import { ApiClient } from '../harness/api-client.js';
import { fakeDriverTable, findChildProcesses, isProcessAlive } from '../harness/fake-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { runCli } from '../harness/run-cli.js';

const READY = SandboxPhase.SANDBOX_PHASE_READY;
const STOPPED = SandboxPhase.SANDBOX_PHASE_STOPPED;

describe('gateway binary with the fake driver binary', () => {
  let gateway: GatewayProcess;
  let api: ApiClient;

  before(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-'));
    gateway = await GatewayProcess.start({ stateDir, configToml: fakeDriverTable('fake', stateDir, ['ready_delay_ms = 400']) });
    api = new ApiClient(gateway.address);
  });

  after(async () => {
    api.close();
    await gateway.stop();
    gateway.removeState();
  });

  it('creates, stops, starts and deletes a sandbox through the public API', async () => {
    const created = await api.create({ name: 'life-1' });
    assert.equal(created.status?.phase, SandboxPhase.SANDBOX_PHASE_PROVISIONING);
    assert.equal(created.spec?.template?.image, 'fake/image:latest', 'empty image takes the driver default');
    await api.waitFor('life-1', (s) => s.status?.phase === READY);
    const stopping = await api.stop('life-1');
    assert.ok([SandboxPhase.SANDBOX_PHASE_STOPPING, STOPPED].includes(stopping.status!.phase));
    await api.waitFor('life-1', (s) => s.status?.phase === STOPPED);
    await api.stop('life-1');
    await api.start('life-1');
    await api.waitFor('life-1', (s) => s.status?.phase === READY);
    assert.equal(await api.delete('life-1'), true);
    // A second delete is NOT_FOUND, as upstream answers an unknown name.
    await assert.rejects(api.delete('life-1'), { code: 5 });
    await assert.rejects(api.get('life-1'), /not found/);
  });

  it('refuses start while Provisioning; stop and start are idempotent', async () => {
    await api.create({ name: 'life-2' });
    await assert.rejects(api.start('life-2'), (error: { code: number; details: string }) => {
      assert.equal(error.code, 9, 'FAILED_PRECONDITION');
      assert.match(error.details, /Provisioning/);
      return true;
    });
    await api.waitFor('life-2', (s) => s.status?.phase === READY);
    assert.equal((await api.start('life-2')).status?.phase, READY, 'start of a Ready sandbox changes nothing');
    await api.stop('life-2');
    await api.waitFor('life-2', (s) => s.status?.phase === STOPPED);
    assert.equal((await api.stop('life-2')).status?.phase, STOPPED, 'stop of a Stopped sandbox changes nothing');
    await api.delete('life-2');
  });

  it('rejects bad input with INVALID_ARGUMENT naming the field, and creates nothing', async () => {
    const before = (await api.list()).length;
    await assert.rejects(api.create({ name: 'Bad_Name' }), (error: { code: number; details: string }) => {
      assert.equal(error.code, 3);
      assert.match(error.details, /name/);
      return true;
    });
    await assert.rejects(api.create({ name: 'way-too-long-a-sandbox-name' }), /name/);
    await assert.rejects(
      api.create({ name: 'res', spec: { template: { resources: { limits: { cpu: 'lots' } } } } as never }),
      /spec\.template\.resources\.limits\.cpu/,
    );
    await assert.rejects(
      api.create({ name: 'drv', spec: { template: { driverConfig: { nosuch: {} } } } as never }),
      /spec\.template\.driver_config/,
    );
    const env = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`K${i}`, 'v']));
    await assert.rejects(api.create({ name: 'env', spec: { environment: env } as never }), /spec\.environment/);
    assert.equal((await api.list()).length, before);
  });

  it('generates a routable name when the request has none', async () => {
    const created = await api.create({});
    assert.match(created.metadata!.name, /^sandbox-[a-z0-9]{8}$/);
    await api.delete(created.metadata!.name);
  });

  it('streams status changes on WatchSandbox until the sandbox is deleted', async () => {
    const created = await api.create({ name: 'watch-1' });
    const collecting = api.watch(created.metadata!.id, { timeoutMs: 10_000 });
    await api.waitFor('watch-1', (s) => s.status?.phase === READY);
    await api.delete('watch-1');
    const events = await collecting;
    const phases = events.flatMap((e) => (e.payload?.$case === 'sandbox' ? [e.payload.sandbox.status?.phase] : []));
    assert.ok(phases.includes(READY), `phases seen: ${phases.join(',')}`);
    assert.equal(phases.at(-1), SandboxPhase.SANDBOX_PHASE_DELETING, 'the stream ends with the deletion');
  });

  it('keeps sandboxes per workspace and deletes a workspace only when it is empty (CLI)', async () => {
    const gw = ['--gateway', gateway.address];
    assert.equal((await runCli([...gw, 'workspace', 'create', 'team-a', '--label', 'tier=dev'])).code, 0);
    assert.equal((await runCli([...gw, 'workspace', 'create', 'team-a'])).code, 4, 'a second create is a conflict');
    const inTeam = await runCli([...gw, '--workspace', 'team-a', 'sandbox', 'create', 'same-name', '--wait']);
    assert.equal(inTeam.code, 0, inTeam.stderr);
    assert.equal((await runCli([...gw, 'sandbox', 'create', 'same-name', '--wait'])).code, 0, 'the same name in another workspace');
    const missing = await runCli([...gw, '--workspace', 'no-such-team', 'sandbox', 'create', 'x']);
    assert.equal(missing.code, 3, `a create into a missing workspace is NOT_FOUND: ${missing.stderr}`);
    const all = await runCli([...gw, '-o', 'json', 'sandbox', 'list', '--all-workspaces']);
    const names = (JSON.parse(all.stdout) as { sandboxes: { metadata: { name: string; workspace: string } }[] }).sandboxes.map((s) => `${s.metadata.workspace}/${s.metadata.name}`);
    assert.deepEqual(names.filter((n) => n.endsWith('same-name')).sort(), ['default/same-name', 'team-a/same-name']);
    const busy = await runCli([...gw, 'workspace', 'delete', 'team-a']);
    assert.notEqual(busy.code, 0, 'a workspace with sandboxes is not deleted');
    assert.equal((await runCli([...gw, '--workspace', 'team-a', 'sandbox', 'delete', 'same-name'])).code, 0);
    assert.equal((await runCli([...gw, 'workspace', 'delete', 'team-a'])).code, 0);
    assert.equal((await runCli([...gw, 'workspace', 'get', 'team-a'])).code, 3);
    await api.delete('same-name');
  });

  it('reports the driver in GetGatewayInfo', async () => {
    const info = await api.info();
    assert.deepEqual(info.computeDrivers.map((d) => [d.name, d.capabilities?.driverName]), [['fake', 'fake']]);
  });
});

describe('gateway restarts', () => {
  it('a gateway killed with SIGKILL leaves no driver process, and a restart keeps every sandbox', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-'));
    const configToml = fakeDriverTable('fake', stateDir);
    const first = await GatewayProcess.start({ stateDir, configToml });
    const api = new ApiClient(first.address);
    for (const name of ['keep-1', 'keep-2', 'keep-3']) await api.create({ name });
    await api.waitFor('keep-3', (s) => s.status?.phase === READY);
    api.close();
    const driverPids = await findChildProcesses(first.child.pid!);
    assert.ok(driverPids.length >= 1, 'the driver process is running');
    await first.stop('SIGKILL');
    const deadline = Date.now() + 5_000;
    while (driverPids.some(isProcessAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(driverPids.filter(isProcessAlive), [], 'spawned drivers exit with their gateway');

    const second = await GatewayProcess.start({ stateDir, configToml });
    const api2 = new ApiClient(second.address);
    try {
      const names = (await api2.list()).map((s) => s.metadata!.name).sort();
      assert.deepEqual(names, ['keep-1', 'keep-2', 'keep-3']);
      await api2.waitFor('keep-1', (s) => s.status?.phase === READY);
    } finally {
      api2.close();
      await second.stop();
      second.removeState();
    }
  });
});

describe('gateway parent watch', () => {
  it('a gateway whose stdin closes (its harness died) stops gracefully and takes its drivers with it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-'));
    const gateway = await GatewayProcess.start({ stateDir, configToml: fakeDriverTable('fake', stateDir) });
    try {
      const driverPids = await findChildProcesses(gateway.child.pid!);
      assert.ok(driverPids.length >= 1, 'the driver process is running');
      gateway.child.stdin!.end();
      await gateway.waitForExit();
      assert.equal(gateway.exitCode, 0, gateway.lines.join('\n'));
      assert.ok(gateway.entries((e) => e.message === 'stopping' && /stdin closed/.test(String(e.reason))).length === 1, 'the gateway says why it stops');
      assert.deepEqual(driverPids.filter(isProcessAlive), [], 'its drivers were stopped');
    } finally {
      await gateway.stop('SIGKILL');
      gateway.removeState();
    }
  });
});

describe('gateway-managed lifecycle', () => {
  it('stops running sandboxes on a graceful shutdown and starts them again on the next start', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-'));
    const configToml = fakeDriverTable('fake', stateDir, ['gateway_manages_lifecycle = true']);
    const first = await GatewayProcess.start({ stateDir, configToml });
    const api = new ApiClient(first.address);
    await api.create({ name: 'managed-1' });
    await api.create({ name: 'managed-2' });
    await api.waitFor('managed-2', (s) => s.status?.phase === READY);
    await api.waitFor('managed-1', (s) => s.status?.phase === READY);
    await api.stop('managed-2');
    await api.waitFor('managed-2', (s) => s.status?.phase === STOPPED);
    api.close();
    await first.stop('SIGTERM');
    assert.equal(first.exitCode, 0);
    const stoppedForShutdown = first.entries((e) => e.message === 'sandbox stop for gateway lifecycle');
    assert.equal(stoppedForShutdown.length, 1, 'only the running sandbox is stopped at shutdown');

    const second = await GatewayProcess.start({ stateDir, configToml });
    const api2 = new ApiClient(second.address);
    try {
      await api2.waitFor('managed-1', (s) => s.status?.phase === READY);
      assert.equal((await api2.get('managed-2')).status?.phase, STOPPED, 'a sandbox the user stopped stays stopped');
      assert.equal(second.entries((e) => e.message === 'sandbox start for gateway lifecycle').length, 1);
    } finally {
      api2.close();
      await second.stop();
      second.removeState();
    }
  });
});
