import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectDriver } from '../client/index.js';
import type { DriverSandbox } from '../gen/compute_driver.js';
import type { ComputeDriverImpl } from '../server/index.js';
import { serveDriver } from '../server/index.js';
import { CONFORMANCE_CHECK_NAMES } from './conformance-checks.js';
import { runConformance } from './run-conformance.js';
import { createFakeDriverWith } from './testdata/fake-driver-with.js';

const FAKE_DRIVER_MAIN = fileURLToPath(new URL('../fake-driver/main.js', import.meta.url));
const CONFORMANCE_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const TIMEOUT_MS = 10_000;

interface FakeDriverProcess {
  readonly socketPath: string;
  /** Kills the running fake driver and starts a new one on the same socket and state file. */
  readonly restartCommand: string;
  stop(): Promise<void>;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** A child still running after this is killed, so every wait on it ends and the test fails instead of hanging. */
const CHILD_TIMEOUT_MS = 30_000;

function runShell(script: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { stdio: 'ignore', timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' });
    child.on('error', reject);
    child.on('exit', resolve);
  });
}

/** Starts `shellgate-fake-driver` as a real process with a state file, the way a gateway would. */
async function startFakeDriverProcess(dir: string): Promise<FakeDriverProcess> {
  const socketPath = join(dir, 'fake.sock');
  const pidFile = join(dir, 'fake.pid');
  const configFile = join(dir, 'fake.toml');
  await writeFile(configFile, `ready_delay_ms = 10\nstate_file = ${JSON.stringify(join(dir, 'state.json'))}\n`);
  const start =
    `${shellQuote(process.execPath)} ${shellQuote(FAKE_DRIVER_MAIN)} --bind-socket ${shellQuote(socketPath)} ` +
    `--config ${shellQuote(configFile)} --log-level warn >/dev/null 2>>${shellQuote(join(dir, 'fake.log'))} & ` +
    `echo $! > ${shellQuote(pidFile)}`;
  const stopScript =
    `pid=$(cat ${shellQuote(pidFile)}); kill "$pid" 2>/dev/null; ` +
    'while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done';
  assert.equal(await runShell(start), 0);
  return {
    socketPath,
    restartCommand: `${stopScript}; ${start}`,
    stop: async () => void (await runShell(stopScript)),
  };
}

async function withFakeDriverProcess(body: (driver: FakeDriverProcess) => Promise<void>): Promise<void> {
  // A short parent keeps the socket path well under the 107-byte limit.
  const dir = await mkdtemp(join(tmpdir(), 'sgc-'));
  const driver = await startFakeDriverProcess(dir);
  try {
    await body(driver);
  } finally {
    await driver.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function runConformanceBinary(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CONFORMANCE_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One contract bug: GetSandbox of an unknown id answers OK. */
function createBrokenDriver(): Promise<ComputeDriverImpl> {
  return createFakeDriverWith((fake) => ({
    getSandbox: (request, ctx) =>
      fake.getSandbox(request, ctx).catch(() => ({ sandbox: { id: request.sandboxId, name: '', namespace: '', workspace: '', spec: undefined, status: undefined } })),
  }));
}

/** One contract bug: every answer carries the sandbox_token the sandbox was created with. */
function createTokenEchoingDriver(): Promise<ComputeDriverImpl> {
  const tokens = new Map<string, string>();
  const withToken = (sandbox: DriverSandbox | undefined): void => {
    if (sandbox?.spec !== undefined) sandbox.spec.sandboxToken = tokens.get(sandbox.id) ?? '';
  };
  return createFakeDriverWith((fake) => ({
    createSandbox: async (request, ctx) => {
      await fake.createSandbox(request, ctx);
      if (request.sandbox !== undefined) tokens.set(request.sandbox.id, request.sandbox.spec?.sandboxToken ?? '');
    },
    getSandbox: async (request, ctx) => {
      const answer = await fake.getSandbox(request, ctx);
      withToken(answer.sandbox);
      return answer;
    },
    listSandboxes: async (request, ctx) => {
      const answer = await fake.listSandboxes(request, ctx);
      answer.sandboxes.forEach(withToken);
      return answer;
    },
    watchSandboxes: async function* (request, ctx) {
      for await (const event of fake.watchSandboxes(request, ctx)) {
        if (event.payload?.$case === 'sandbox') withToken(event.payload.sandbox.sandbox);
        yield event;
      }
    },
  }));
}

/** Every test here waits on a socket or a child process: a bound names the one that hangs. */
const TEST_TIMEOUT_MS = 60_000;

void test('the fake driver executable passes every check, restart included, and is left clean', { timeout: TEST_TIMEOUT_MS }, () =>
  withFakeDriverProcess(async (driver) => {
    const lines: string[] = [];
    const report = await runConformance({
      socketPath: driver.socketPath,
      restartCommand: driver.restartCommand,
      timeoutMs: TIMEOUT_MS,
      onResult: (result) => lines.push(`${result.name}: ${result.status} ${result.reason ?? ''}`),
    });
    assert.deepEqual(
      report.results.filter((result) => result.status !== 'pass'),
      [],
      lines.join('\n'),
    );
    assert.deepEqual(report.results.map((result) => result.name), CONFORMANCE_CHECK_NAMES);
    assert.equal(report.passed, CONFORMANCE_CHECK_NAMES.length);
    const client = await connectDriver(driver.socketPath);
    try {
      const leftovers = (await client.listSandboxes()).filter((sandbox) => sandbox.id.includes(report.runId ?? '?'));
      assert.deepEqual(leftovers, [], 'every test sandbox is deleted at the end');
    } finally {
      await client.close();
    }
  }));

void test('the conformance binary prints one line per check and the summary last', { timeout: TEST_TIMEOUT_MS }, () =>
  withFakeDriverProcess(async (driver) => {
    const claimsFile = join(driver.socketPath, '..', 'claims.toml');
    await writeFile(claimsFile, 'workspaces = false\nready_within_ms = 5000\n');
    const { code, stdout, stderr } = await runConformanceBinary([
      '--socket',
      driver.socketPath,
      '--restart-cmd',
      driver.restartCommand,
      '--claims',
      claimsFile,
      '--timeout-ms',
      String(TIMEOUT_MS),
    ]);
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    const lines = stdout.trimEnd().split('\n');
    const total = CONFORMANCE_CHECK_NAMES.length;
    assert.equal(lines.length, total + 1);
    assert.equal(lines.at(-1), `${total - 1} passed, 0 failed, 1 skipped`);
    assert.ok(lines.includes('skip workspaces-idempotent: workspaces is not claimed'));
    assert.ok(lines.some((line) => /^ok {3}restart-keeps-sandboxes {2}\(\d+ ms\)$/.test(line)), stdout);
    assert.equal(stderr, '');
    assert.ok((await readFile(join(driver.socketPath, '..', 'state.json'), 'utf8')).includes('"sandboxes": []'));
  }));

void test('a driver that answers OK for an unknown id fails the suite', { timeout: TEST_TIMEOUT_MS }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sgc-'));
  const server = await serveDriver(await createBrokenDriver(), { socketPath: join(dir, 'broken.sock'), drainTimeoutMs: 1_000 });
  try {
    const report = await runConformance({ socketPath: server.socketPath, timeoutMs: 2_000 });
    const failures = new Map(report.results.filter((r) => r.status === 'fail').map((r) => [r.name, r.reason]));
    assert.equal(failures.get('get-unknown-not-found'), 'GetSandbox of an unknown id answered OK; expected NOT_FOUND');
    // The same bug keeps a deleted sandbox visible to GetSandbox, which both delete checks catch too.
    assert.match(failures.get('delete-idempotent') ?? '', /to leave GetSandbox and ListSandboxes/);
    assert.match(failures.get('delete-during-create') ?? '', /to leave GetSandbox and ListSandboxes/);
    assert.equal(report.failed, 3);

    const binary = await runConformanceBinary(['--socket', server.socketPath, '--only', 'capabilities,get-unknown-not-found']);
    assert.equal(binary.code, 1, binary.stdout);
    assert.deepEqual(binary.stdout.trimEnd().split('\n').slice(1), [
      'FAIL get-unknown-not-found: GetSandbox of an unknown id answered OK; expected NOT_FOUND',
      '1 passed, 1 failed',
    ]);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

void test('a driver that echoes sandbox_token fails token-not-echoed, naming every answer that carries it', { timeout: TEST_TIMEOUT_MS }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sgc-'));
  const server = await serveDriver(await createTokenEchoingDriver(), { socketPath: join(dir, 'echo.sock'), drainTimeoutMs: 1_000 });
  try {
    const report = await runConformance({ socketPath: server.socketPath, timeoutMs: 2_000, only: ['token-not-echoed', 'gateway-reconnect'] });
    assert.deepEqual(
      report.results.map((result) => [result.name, result.status, result.reason]),
      [
        [
          'token-not-echoed',
          'fail',
          'sandbox_token is echoed back by GetSandbox, ListSandboxes, a live WatchSandboxes event, a WatchSandboxes snapshot',
        ],
        ['gateway-reconnect', 'pass', undefined],
      ],
    );
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

void test('a driver that forgets its sandboxes when its client goes away fails gateway-reconnect', { timeout: TEST_TIMEOUT_MS }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sgc-'));
  // Lists only what was created since the last GetCapabilities, i.e. since the current gateway connected.
  let sinceConnect = new Set<string>();
  const forgetful = await createFakeDriverWith((fake) => ({
    getCapabilities: (request, ctx) => {
      sinceConnect = new Set();
      return fake.getCapabilities(request, ctx);
    },
    createSandbox: async (request, ctx) => {
      await fake.createSandbox(request, ctx);
      sinceConnect.add(request.sandbox?.id ?? '');
    },
    listSandboxes: async (request, ctx) => {
      const answer = await fake.listSandboxes(request, ctx);
      return { sandboxes: answer.sandboxes.filter((sandbox) => sinceConnect.has(sandbox.id)) };
    },
  }));
  const server = await serveDriver(forgetful, { socketPath: join(dir, 'forget.sock'), drainTimeoutMs: 1_000 });
  try {
    const report = await runConformance({ socketPath: server.socketPath, timeoutMs: 2_000, only: ['gateway-reconnect'] });
    assert.equal(report.failed, 1);
    assert.match(report.results[0]?.reason ?? '', /^after the reconnect ListSandboxes misses 2 of 2: sgc-/);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

void test('a socket nobody serves fails the connect check', { timeout: TEST_TIMEOUT_MS }, async () => {
  const report = await runConformance({ socketPath: join(tmpdir(), 'sgc-nobody-here.sock'), timeoutMs: 300 });
  assert.equal(report.failed, 1);
  assert.equal(report.results[0]?.name, 'connect');
  assert.match(report.results[0]?.reason ?? '', /did not answer GetCapabilities within/);
});

void test('usage errors exit 2; --help lists the checks and the claims format', { timeout: TEST_TIMEOUT_MS }, async () => {
  const missing = await runConformanceBinary([]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--socket PATH is required/);
  const unknownFlag = await runConformanceBinary(['--socket', '/tmp/x.sock', '--bogus']);
  assert.equal(unknownFlag.code, 2);
  const unknownCheck = await runConformanceBinary(['--socket', '/tmp/x.sock', '--only', 'nope']);
  assert.equal(unknownCheck.code, 2);
  assert.match(unknownCheck.stderr, /unknown check "nope"\nhint: known checks: capabilities, /);
  const help = await runConformanceBinary(['--help']);
  assert.equal(help.code, 0);
  for (const name of CONFORMANCE_CHECK_NAMES) assert.ok(help.stdout.includes(name), name);
  assert.match(help.stdout, /restart_keeps_sandboxes {2}\(boolean\) {2}default: true/);
});

void test('the README lists every check, in run order', { timeout: TEST_TIMEOUT_MS }, async () => {
  // Compiled to dist/conformance/; the README is two levels up.
  const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const listed = [...readme.matchAll(/^\| `([a-z-]+)` \| /gm)].map((match) => match[1]);
  assert.deepEqual(
    listed.filter((name) => CONFORMANCE_CHECK_NAMES.includes(name ?? '')),
    CONFORMANCE_CHECK_NAMES,
  );
});
