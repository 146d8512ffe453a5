import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SandboxPhase } from '@shellgate/api';
import { ApiClient } from '../harness/api-client.js';
import { fakeDriverTable, findChildProcesses, findProcesses, isProcessAlive } from '../harness/fake-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { FAKE_DRIVER_BIN, GATEWAY_BIN } from '../harness/paths.js';

const READY = SandboxPhase.SANDBOX_PHASE_READY;

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function tempState(): string {
  return mkdtempSync(join(tmpdir(), 'sg-e2e-'));
}

describe('gateway with several drivers', () => {
  it('runs two drivers at once and routes creates by driver_config', async () => {
    const stateDir = tempState();
    const gateway = await GatewayProcess.start({
      stateDir,
      configToml: ['default_driver = "alpha"', fakeDriverTable('alpha', stateDir), fakeDriverTable('beta', stateDir, ['driver_name = "beta-impl"'])].join('\n'),
    });
    const api = new ApiClient(gateway.address);
    try {
      const info = await api.info();
      assert.deepEqual(info.computeDrivers.map((d) => `${d.name}:${d.capabilities?.driverName}`).sort(), ['alpha:fake', 'beta:beta-impl']);
      const onAlpha = await api.create({ name: 'on-alpha' });
      const onBeta = await api.create({ name: 'on-beta', spec: { template: { driverConfig: { beta: {} } } } as never });
      assert.equal(onAlpha.metadata?.annotations['shellgate.dev/driver'], 'alpha');
      assert.equal(onBeta.metadata?.annotations['shellgate.dev/driver'], 'beta');
      await api.waitFor('on-alpha', (s) => s.status?.phase === READY);
      await api.waitFor('on-beta', (s) => s.status?.phase === READY);
      assert.equal(await api.delete('on-beta'), true);
      assert.deepEqual((await api.list()).map((s) => s.metadata!.name), ['on-alpha']);
    } finally {
      api.close();
      await gateway.stop();
      gateway.removeState();
    }
  });

  it('restarts a driver killed with SIGKILL during 20 concurrent creates; no sandbox is lost or duplicated', async () => {
    const stateDir = tempState();
    const gateway = await GatewayProcess.start({ stateDir, configToml: fakeDriverTable('fake', stateDir, ['ready_delay_ms = 20']) });
    const api = new ApiClient(gateway.address);
    try {
      const [driverPid] = await findChildProcesses(gateway.child.pid!);
      assert.ok(driverPid !== undefined, 'found the spawned fake driver');
      const names = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
      const creates = names.map((name, i) =>
        new Promise((resolve) => setTimeout(resolve, i * 5)).then(() => api.create({ name })).then(() => name, () => undefined),
      );
      setTimeout(() => process.kill(driverPid, 'SIGKILL'), 40);
      const accepted = (await Promise.all(creates)).filter((n): n is string => n !== undefined);
      // Gone once the gateway has reaped it; until then kill(pid, 0) still finds the zombie.
      await waitUntil(() => !isProcessAlive(driverPid), 5_000, 'the killed driver to be reaped');
      await waitUntil(() => gateway.entries((e) => e.message === 'driver ready').length >= 2, 15_000, 'the driver to be restarted');
      // Every accepted create must end Ready on the restarted driver; refused ones left nothing.
      for (const name of accepted) await api.waitFor(name, (s) => s.status?.phase === READY, 20_000);
      const listed = (await api.list()).map((s) => s.metadata!.name).sort();
      assert.deepEqual(listed, [...accepted].sort(), 'exactly the accepted sandboxes, once each');
      await api.create({ name: 'after-restart' });
      await api.waitFor('after-restart', (s) => s.status?.phase === READY);
    } finally {
      api.close();
      await gateway.stop();
      gateway.removeState();
    }
  });
});

describe('gateway startup failures', () => {
  async function runGatewayToExit(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, [GATEWAY_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    return { code, output };
  }

  it('fails within its bound, with the driver\'s last lines, when a driver never becomes ready', async () => {
    const stateDir = tempState();
    const hang = join(stateDir, 'hang.mjs');
    writeFileSync(hang, "console.error('hang driver: pretending to start'); setInterval(() => {}, 1000);\n");
    const config = join(stateDir, 'gateway.toml');
    writeFileSync(config, [
      `state_dir = ${JSON.stringify(stateDir)}`,
      'listen = "127.0.0.1:0"',
      'driver_ready_timeout_ms = 1500',
      '[drivers.hang]',
      `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(hang)}]`,
    ].join('\n'));
    const started = Date.now();
    const { code, output } = await runGatewayToExit(['--config', config]);
    assert.equal(code, 1);
    assert.ok(Date.now() - started < 15_000, 'bounded wait');
    assert.match(output, /hang/);
    assert.match(output, /pretending to start/, 'the driver\'s own lines are in the error');
    assert.deepEqual(await findProcesses(hang), [], 'the stuck driver was killed');
  });

  it('exits 2 naming file, line and key for an unknown config key', async () => {
    const stateDir = tempState();
    const config = join(stateDir, 'gateway.toml');
    writeFileSync(config, `state_dir = ${JSON.stringify(stateDir)}\nlisten = "127.0.0.1:0"\nlisten_adress = "x"\n`);
    const { code, output } = await runGatewayToExit(['--config', config]);
    assert.equal(code, 2);
    assert.match(output, new RegExp(`${config.replaceAll('/', '\\/')}:3`));
    assert.match(output, /listen_adress/);
  });

  it('refuses a non-loopback listener without auth unless --allow-unauthenticated', async () => {
    const stateDir = tempState();
    const config = join(stateDir, 'gateway.toml');
    writeFileSync(config, `state_dir = ${JSON.stringify(stateDir)}\nlisten = "0.0.0.0:0"\n${fakeDriverTable('fake', stateDir)}\n`);
    const { code, output } = await runGatewayToExit(['--config', config]);
    assert.equal(code, 1);
    assert.match(output, /without authentication/);
    assert.match(output, /--allow-unauthenticated/);
  });

  it('dials a third-party driver socket that appears only after the gateway started', async () => {
    const stateDir = tempState();
    const socket = join(stateDir, 'late', 'driver.sock');
    const gatewayStart = GatewayProcess.start({ stateDir, configToml: '', extraArgs: ['--compute-driver-socket', `late=${socket}`] });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const driver = spawn(process.execPath, [FAKE_DRIVER_BIN, '--bind-socket', socket], { stdio: 'ignore', timeout: 60_000, killSignal: 'SIGKILL' });
    try {
      const gateway = await gatewayStart;
      const api = new ApiClient(gateway.address);
      try {
        assert.deepEqual((await api.info()).computeDrivers.map((d) => d.name), ['late']);
        await api.create({ name: 'via-socket' });
        assert.equal((await api.get('via-socket')).metadata?.annotations['shellgate.dev/driver'], 'late');
      } finally {
        api.close();
        await gateway.stop();
      }
      assert.ok(isProcessAlive(driver.pid!), 'a dialed driver is never stopped by the gateway');
    } finally {
      driver.kill('SIGTERM');
    }
  });
});
