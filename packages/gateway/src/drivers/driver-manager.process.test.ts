import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isShellgateError, silentLogger } from '@shellgate/driver-sdk';
import type { DriverClient } from '@shellgate/driver-sdk';
import { DriverManager } from './driver-manager.js';
import type { DriverSpec } from './driver-selection.js';

const FAKE_DRIVER = fileURLToPath(new URL('./testdata/fake-compute-driver.js', import.meta.url));
const RUN_ROOT = mkdtempSync(join(tmpdir(), 'sg-manager-test-'));
after(() => rmSync(RUN_ROOT, { recursive: true, force: true }));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function fakeSpec(name: string, mode = 'ok'): DriverSpec {
  return { name, kind: 'command', command: [process.execPath, FAKE_DRIVER], driverConfig: { mode }, origin: `test:${name}` };
}

function createManager(drivers: DriverSpec[]): DriverManager {
  return new DriverManager(
    { drivers, defaultDriverName: drivers[0]?.name ?? '' },
    {
      logger: silentLogger,
      logLevel: 'info',
      runRoot: RUN_ROOT,
      readyTimeoutMs: 10_000,
      shutdownGraceMs: 2_000,
      healthIntervalMs: 60_000,
      backoff: { initialMs: 50, maxMs: 200, jitter: 'equal' },
    },
  );
}

/** Every test here waits on a socket or a child process: a bound names the one that hangs. */
const TEST_TIMEOUT_MS = 60_000;

void test('kill -9 of a spawned driver: it is restarted, the new client works, and close() leaves no process', { timeout: TEST_TIMEOUT_MS }, async () => {
  const drivers = createManager([fakeSpec('one'), fakeSpec('two')]);
  await drivers.start();
  try {
    const driver = drivers.get('one');
    const firstPid = driver.pid ?? -1;
    const otherPid = drivers.get('two').pid ?? -1;
    assert.ok(isAlive(firstPid) && isAlive(otherPid));
    const restarted = new Promise<DriverClient>((resolve) => drivers.onDriverRestarted((_driver, client) => resolve(client)));
    process.kill(firstPid, 'SIGKILL');
    const client = await restarted;
    assert.equal(driver.client, client);
    assert.notEqual(driver.pid, firstPid);
    assert.deepEqual(await client.listSandboxes(), []);
    assert.equal((await client.getCapabilities()).driverName, 'fake');
    assert.equal(drivers.get('two').pid, otherPid, 'the other driver was left alone');
  } finally {
    const pids = drivers.list().map((driver) => driver.pid ?? -1);
    await drivers.close();
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} is gone after close()`);
    assert.deepEqual(readdirSync(RUN_ROOT), [], 'no run dir is left, not even the killed incarnation\'s');
  }
});

void test('a spawned driver that exits at once fails startup with its stderr and exit code', { timeout: TEST_TIMEOUT_MS }, async () => {
  const drivers = createManager([fakeSpec('broken', 'exit')]);
  await assert.rejects(drivers.start(), (error: unknown) => {
    assert.ok(isShellgateError(error));
    assert.match(error.message, /driver "broken" exited before it was ready \(exit code 3\)/);
    assert.match(error.message, /cannot reach engine/);
    return true;
  });
});
