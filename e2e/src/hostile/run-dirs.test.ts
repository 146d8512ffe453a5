// Issue 10, item 9: a gateway killed with SIGKILL cannot remove its drivers' run dirs (socket
// and config.toml). They live under STATE_DIR/run, never loose in /tmp, and the next gateway
// on the same state dir removes them at start, but never a run dir of a live gateway.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeDriverTable, findChildProcesses, isProcessAlive } from '../harness/fake-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';

/** Run dirs in /tmp whose config.toml mentions `marker` (the old layout was /tmp/sg-XXXXXX). */
function looseRunDirsMentioning(marker: string): string[] {
  const base = tmpdir();
  return readdirSync(base)
    .filter((name) => name.startsWith('sg-'))
    .map((name) => join(base, name, 'config.toml'))
    .filter((config) => {
      try {
        return readFileSync(config, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('driver run dirs after kill -9 of the gateway (issue 10 item 9)', { timeout: 60_000 }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-rundirs-'));
  const runRoot = join(stateDir, 'run');
  const gateways: GatewayProcess[] = [];
  after(async () => {
    for (const gateway of gateways) await gateway.stop('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('keeps run dirs under STATE_DIR/run, and a restart removes the killed gateway\'s but not a live one\'s', async () => {
    const configToml = fakeDriverTable('fake', stateDir);
    const first = await GatewayProcess.start({ stateDir, configToml });
    gateways.push(first);
    const firstPid = first.child.pid!;
    const [stale] = readdirSync(runRoot);
    assert.match(stale ?? '', new RegExp(`^${firstPid}-[A-Za-z0-9]{6}$`), 'one run dir, named after the gateway pid');
    assert.equal(statSync(runRoot).mode & 0o777, 0o700);
    assert.equal(statSync(join(runRoot, stale!)).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(join(runRoot, stale!)).sort(), ['config.toml', 'driver.sock']);
    assert.deepEqual(looseRunDirsMentioning(stateDir), [], 'nothing in /tmp/sg-*');

    const driverPids = await findChildProcesses(firstPid);
    await first.stop('SIGKILL');
    await waitUntil(() => !driverPids.some(isProcessAlive), 5_000, 'the driver to exit with its gateway');
    assert.ok(existsSync(join(runRoot, stale!)), 'kill -9 left the run dir behind');
    // A run dir as a live gateway would own it (this test process stands in for one).
    const live = `${process.pid}-LiVe00`;
    mkdirSync(join(runRoot, live), { mode: 0o700 });

    const second = await GatewayProcess.start({ stateDir, configToml });
    gateways.push(second);
    const entries = readdirSync(runRoot);
    assert.ok(!entries.includes(stale!), `the stale run dir is gone: ${entries.join(', ')}`);
    assert.ok(entries.includes(live), "a live gateway's run dir is kept");
    assert.equal(entries.filter((name) => name.startsWith(`${second.child.pid}-`)).length, 1, 'the new gateway made its own');
    const swept = second.entries((entry) => entry.message === 'removed run dirs left by a gateway that is gone');
    assert.deepEqual(swept.map((entry) => entry.removed), [[join(runRoot, stale!)]]);
    assert.deepEqual(looseRunDirsMentioning(stateDir), [], 'nothing in /tmp/sg-*');

    await second.stop('SIGTERM');
    assert.deepEqual(readdirSync(runRoot), [live], 'a clean stop removes its own run dir');
  });
});
