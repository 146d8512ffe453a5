import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isShellgateError, silentLogger } from '@shellgate/driver-sdk';
import type { LogFields, Logger } from '@shellgate/driver-sdk';
import { DriverProcess } from './driver-process.js';
import type { DriverProcessOptions } from './driver-process.js';
import { sweepStaleRunDirs } from './driver-run-root.js';

const FAKE_DRIVER = fileURLToPath(new URL('./testdata/fake-compute-driver.js', import.meta.url));
const HOLD_DRIVER = fileURLToPath(new URL('./testdata/hold-driver.js', import.meta.url));
const RUN_ROOT = mkdtempSync(join(tmpdir(), 'sg-proc-run-'));
after(() => rmSync(RUN_ROOT, { recursive: true, force: true }));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function recorder(): { logger: Logger; lines: Array<{ level: string; message: string; fields: LogFields | undefined }> } {
  const lines: Array<{ level: string; message: string; fields: LogFields | undefined }> = [];
  const logger: Logger = {
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    debug: (message, fields) => lines.push({ level: 'debug', message, fields }),
    child: (fields) => {
      return {
        error: (message, more) => lines.push({ level: 'error', message, fields: { ...fields, ...more } }),
        warn: (message, more) => lines.push({ level: 'warn', message, fields: { ...fields, ...more } }),
        info: (message, more) => lines.push({ level: 'info', message, fields: { ...fields, ...more } }),
        debug: (message, more) => lines.push({ level: 'debug', message, fields: { ...fields, ...more } }),
        child: () => logger,
      };
    },
  };
  return { logger, lines };
}

function fakeDriver(driverConfig: Record<string, unknown>, overrides: Partial<DriverProcessOptions> = {}): DriverProcess {
  return new DriverProcess({
    name: 'fake',
    command: [process.execPath, FAKE_DRIVER],
    driverConfig,
    logLevel: 'debug',
    logger: silentLogger,
    readyTimeoutMs: 10_000,
    shutdownGraceMs: 2_000,
    runRoot: RUN_ROOT,
    ...overrides,
  });
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sg-proc-test-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every test here waits on a socket or a child process: a bound names the one that hangs. */
const TEST_TIMEOUT_MS = 60_000;

void test('a driver starts in a private run dir with its table as a 0600 TOML file, answers, and stop() leaves nothing', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const record = join(dir, 'record.json');
    const { logger, lines } = recorder();
    const driver = fakeDriver({ mode: 'ok', record_file: record, nested: { a: [1, 2] } }, { logger });
    await driver.start();
    const client = await driver.waitReady();
    assert.equal(client.capabilities.driverName, 'fake');
    const seen = JSON.parse(await readFile(record, 'utf8')) as Record<string, unknown>;
    const runDir = driver.runDir ?? '';
    assert.match(runDir, new RegExp(`^${RUN_ROOT}/${process.pid}-[A-Za-z0-9]{6}$`), 'run dir under the run root, named after the gateway pid');
    assert.deepEqual(seen.argv, ['--bind-socket', join(runDir, 'driver.sock'), '--config', join(runDir, 'config.toml'), '--log-level', 'debug']);
    assert.deepEqual(seen.config, { mode: 'ok', record_file: record, nested: { a: [1, 2] } });
    assert.equal(seen.configMode, 0o600);
    assert.equal(seen.runDirMode, 0o700);
    assert.equal(seen.parentWatch, 'stdin');
    assert.ok(Buffer.byteLength(join(runDir, 'driver.sock')) < 104, 'socket path fits sun_path');
    const forwarded = lines.filter((line) => line.fields?.driver === 'fake');
    assert.ok(forwarded.some((line) => line.level === 'info' && line.message === 'fake driver starting' && line.fields?.mode === 'ok'));
    assert.ok(forwarded.some((line) => line.level === 'warn' && line.message === 'WARN plain text warning line'));
    await client.close();
    const pid = driver.pid ?? -1;
    const exit = await driver.stop();
    assert.equal(exit?.exitCode, 0);
    assert.equal(isAlive(pid), false);
    assert.equal(existsSync(runDir), false, 'run dir removed');
    assert.equal(await driver.stop(), exit, 'stop is idempotent');
    await driver.kill();
  }));

void test('a driver that exits at once fails start with its exit code, its stderr lines and a diagnosis', { timeout: TEST_TIMEOUT_MS }, async () => {
  const driver = fakeDriver({ mode: 'exit' });
  await driver.start();
  const error = await driver.waitReady().then(
    () => assert.fail('should not be ready'),
    (caught: unknown) => caught,
  );
  assert.ok(isShellgateError(error));
  assert.equal(error.name, 'DriverStartError');
  assert.match(error.message, /driver "fake" exited before it was ready \(exit code 3\)/);
  assert.match(error.message, /ERROR: cannot reach engine at \/nonexistent\/engine\.sock/);
  assert.match(error.message, /diagnosis:\n {4}executable .*node.*mode \d{4}, owner uid/);
  assert.equal(error.details?.exitCode, 3);
  assert.equal(existsSync(driver.runDir ?? ''), false);
});

void test('a driver that never becomes ready fails after the bounded wait and is killed', { timeout: TEST_TIMEOUT_MS }, async () => {
  const driver = fakeDriver({ mode: 'never-ready' }, { readyTimeoutMs: 600 });
  await driver.start();
  const pid = driver.pid ?? -1;
  const startedAt = Date.now();
  await assert.rejects(driver.waitReady(), (error: unknown) => {
    assert.ok(isShellgateError(error));
    assert.match(error.message, /did not answer GetCapabilities on .*driver\.sock within 600 ms/);
    assert.match(error.message, /fake driver starting/);
    return true;
  });
  assert.ok(Date.now() - startedAt < 5_000);
  assert.equal(isAlive(pid), false);
});

void test('a missing executable fails start with a spawn error and a diagnosis', { timeout: TEST_TIMEOUT_MS }, async () => {
  const driver = new DriverProcess({
    name: 'ghost',
    command: ['/nonexistent/driver-binary'],
    driverConfig: {},
    logLevel: 'info',
    logger: silentLogger,
    readyTimeoutMs: 1_000,
    shutdownGraceMs: 100,
    runRoot: RUN_ROOT,
  });
  await assert.rejects(driver.start(), (error: unknown) => {
    assert.ok(isShellgateError(error));
    assert.match(error.message, /driver "ghost" could not be started \(spawn failed: ENOENT\)/);
    assert.match(error.message, /executable \/nonexistent\/driver-binary cannot be examined: ENOENT/);
    return true;
  });
  assert.equal(existsSync(driver.runDir ?? ''), false);
});

void test('diagnose reports a script that is not executable and a missing shebang interpreter', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const script = join(dir, 'driver.sh');
    await writeFile(script, '#!/nonexistent/bin/interp -x\necho hi\n');
    await chmod(script, 0o644);
    const notes = new DriverProcess({ name: 'x', command: [script], driverConfig: {}, logLevel: 'info', logger: silentLogger, readyTimeoutMs: 1, shutdownGraceMs: 1, runRoot: RUN_ROOT }).diagnose();
    assert.ok(notes.some((note) => note.includes('mode 0644')));
    assert.ok(notes.some((note) => note.includes('is NOT executable')));
    assert.ok(notes.some((note) => note.includes('#!/nonexistent/bin/interp -x')));
    assert.ok(notes.some((note) => note.includes('interpreter /nonexistent/bin/interp is missing')));
  }));

void test('stop() escalates to SIGKILL when the driver ignores SIGTERM', { timeout: TEST_TIMEOUT_MS }, async () => {
  const driver = fakeDriver({ mode: 'ignore-sigterm' }, { shutdownGraceMs: 300 });
  await driver.start();
  const client = await driver.waitReady();
  await client.close();
  const pid = driver.pid ?? -1;
  const exit = await driver.stop();
  assert.equal(exit?.signal, 'SIGKILL');
  assert.equal(isAlive(pid), false);
});

/** A child still running after this is killed, so every wait on it ends and the test fails instead of hanging. */
const CHILD_TIMEOUT_MS = 30_000;

void test('a spawned driver does not outlive a gateway killed with SIGKILL, and the next sweep removes its run dir', { timeout: TEST_TIMEOUT_MS }, () =>
  withTempDir(async (dir) => {
    const holder = spawn(process.execPath, [HOLD_DRIVER, FAKE_DRIVER, dir], { stdio: ['ignore', 'pipe', 'inherit'], timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' });
    const driverPid = await new Promise<number>((resolve, reject) => {
      holder.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      holder.once('exit', (code) => reject(new Error(`holder exited early with ${code}`)));
    });
    assert.ok(isAlive(driverPid));
    const [runDirName = ''] = await readdir(dir);
    assert.match(runDirName, new RegExp(`^${holder.pid}-`), 'the run dir names the holder');
    holder.kill('SIGKILL');
    await waitFor(() => !isAlive(driverPid), 5_000, `driver ${driverPid} to exit after its parent was killed`);
    await waitFor(() => holder.exitCode !== null || holder.signalCode !== null, 5_000, 'the holder to be reaped');
    assert.deepEqual(await readdir(dir), [runDirName], 'kill -9 left the run dir behind');
    assert.deepEqual(await sweepStaleRunDirs(dir), [join(dir, runDirName)]);
    assert.deepEqual(await readdir(dir), []);
  }));
