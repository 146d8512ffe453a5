import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectDriver, type DriverClient } from '../client/index.js';
import { ErrorCode } from '../errors.js';
import type { DriverSandbox } from '../gen/compute_driver.js';

const FAKE_DRIVER_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
/** A child still running after this is killed, so every wait on it ends and the test fails instead of hanging. */
const CHILD_TIMEOUT_MS = 30_000;

function sandbox(id: string, name: string): DriverSandbox {
  const spec = { logLevel: '', environment: {}, template: undefined, resourceRequirements: undefined, sandboxToken: '', command: [], tty: false };
  return { id, name, namespace: '', workspace: '', status: undefined, spec };
}

/**
 * Runs `body` against the fake driver binary serving `scriptLines` as its --config file,
 * then checks that SIGTERM drains it to exit 0 and removes the temp dir.
 */
async function withScriptedDriver(scriptLines: readonly string[], body: (client: DriverClient) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sgf-'));
  const configFile = join(dir, 'fake.toml');
  await writeFile(configFile, [...scriptLines, ''].join('\n'));
  const socketPath = join(dir, 'fake.sock');
  const child = spawn(process.execPath, [FAKE_DRIVER_MAIN, '--bind-socket', socketPath, '--config', configFile], {
    stdio: 'ignore',
    timeout: CHILD_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    const client = await connectDriver(socketPath, { connectTimeoutMs: 15_000 });
    try {
      await body(client);
    } finally {
      await client.close();
    }
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'SIGTERM drains and exits 0');
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every test here waits on a socket or a child process: a bound names the one that hangs. */
const TEST_TIMEOUT_MS = 60_000;

void test('shellgate-fake-driver serves the script from its --config file', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withScriptedDriver(
    [
      'driver_name = "scripted"',
      'gateway_manages_lifecycle = true',
      '[responses.full]',
      'rpc = "CreateSandbox"',
      'error = "RESOURCE_EXHAUSTED"',
      'message = "no room"',
      'match_name = "big"',
    ],
    async (client) => {
      assert.equal(client.capabilities.driverName, 'scripted');
      assert.equal(client.capabilities.gatewayManagesLifecycle, true);
      assert.equal(client.capabilities.defaultImage, 'fake/image:latest');
      await assert.rejects(client.createSandbox(sandbox('b1', 'big')), { code: ErrorCode.ResourceExhausted, message: 'CreateSandbox failed: no room' });
      await client.createSandbox(sandbox('s1', 'small'));
      assert.deepEqual((await client.listSandboxes()).map((s) => s.id), ['s1']);
    },
  );
});

void test('shellgate-fake-driver takes [[responses]] entries: CreateSandbox fails once, then succeeds', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withScriptedDriver(
    [
      '[[responses]]',
      'rpc = "CreateSandbox"',
      'error = "FAILED_PRECONDITION"',
      'message = "no capacity yet"',
      'times = 1',
      '',
      '[[listener_requirements]]',
      'reason = "callbacks"',
      'loopback_interface = true',
    ],
    async (client) => {
      await assert.rejects(client.createSandbox(sandbox('a1', 'alpha')), {
        code: ErrorCode.FailedPrecondition,
        message: 'CreateSandbox failed: no capacity yet',
      });
      await client.createSandbox(sandbox('a1', 'alpha'));
      assert.deepEqual((await client.listSandboxes()).map((s) => s.id), ['a1']);
      const { requirements } = await client.getGatewayListenerRequirements();
      assert.deepEqual(requirements.map((r) => [r.reason, r.selector?.$case]), [['callbacks', 'loopbackInterface']]);
    },
  );
});

async function runToExit(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [FAKE_DRIVER_MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stderr };
}

void test('shellgate-fake-driver refuses a bad script as a usage error: exit 2, every problem and a hint', { timeout: TEST_TIMEOUT_MS }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sgf-'));
  const configFile = join(dir, 'fake.toml');
  await writeFile(
    configFile,
    '[responses.typo]\nrpc = "CreateSandboxes"\nerror = "INTERNAL"\n\n[[watch_events]]\nkind = "explosion"\n',
  );
  const socketPath = join(dir, 'f.sock');
  try {
    const { code, stderr } = await runToExit(['--bind-socket', socketPath, '--config', configFile]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /^shellgate-fake-driver: 2 config problems:\n/);
    assert.ok(stderr.includes('  - responses.typo.rpc: unknown value "CreateSandboxes"; expected one of GetCapabilities, '), stderr);
    assert.ok(stderr.includes('  - watch_events[0].kind: unknown value "explosion"'), stderr);
    assert.match(stderr, /\nhint: run with --help to list every setting, its type and where it can be set\n$/);
    await assert.rejects(stat(socketPath), { code: 'ENOENT' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('shellgate-fake-driver names FILE:LINE:key when a table-array key holds a plain table', { timeout: TEST_TIMEOUT_MS }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sgf-'));
  const configFile = join(dir, 'fake.toml');
  await writeFile(configFile, '[responses]\nrpc = "CreateSandbox"\n');
  try {
    const { code, stderr } = await runToExit(['--bind-socket', join(dir, 'f.sock'), '--config', configFile]);
    assert.equal(code, 2, stderr);
    assert.ok(
      stderr.includes(`${configFile}:1:responses: expected an array of tables or a table of named tables, but "rpc" is "CreateSandbox"`),
      stderr,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
