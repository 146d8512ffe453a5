import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fsp } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import type { ServiceError } from '@grpc/grpc-js';
import { credentials } from '@grpc/grpc-js';

import type { GetCapabilitiesResponse } from '../gen/compute_driver.js';
import { ComputeDriverClient } from '../gen/compute_driver.js';

const ECHO_DRIVER = fileURLToPath(new URL('./testdata/echo-driver.js', import.meta.url));

let root = '';
let counter = 0;
before(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'sg-main-'));
});
after(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

/** The driver's environment: ours minus the variables that would change its behaviour. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['OPENSHELL_COMPUTE_DRIVER_SOCKET'];
  delete env['OPENSHELL_LOG_LEVEL'];
  return { ...env, ...extra };
}

/** A child still running after this is killed, so every wait on it ends and the test fails instead of hanging. */
const CHILD_TIMEOUT_MS = 30_000;

interface DriverRun {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  readonly exit: Promise<number | null>;
  /** Resolves with the first JSON log line whose message is `message`. */
  waitForLog(message: string): Promise<Record<string, unknown>>;
}

function startDriver(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): DriverRun {
  const child = spawn(process.execPath, [ECHO_DRIVER, ...args], { env, timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' });
  const run: DriverRun = {
    child,
    stdout: '',
    stderr: '',
    // 'close' comes after both pipes are drained, so stdout and stderr are complete by then.
    exit: once(child, 'close').then(([code]) => code as number | null),
    waitForLog: (message) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          for (const line of run.stderr.split('\n')) {
            if (!line.startsWith('{')) continue;
            const parsed = JSON.parse(line) as Record<string, unknown>;
            if (parsed['message'] === message) {
              resolve(parsed);
              return true;
            }
          }
          return false;
        };
        if (check()) return;
        const onData = (): void => {
          if (check()) child.stderr.off('data', onData);
        };
        child.stderr.on('data', onData);
        void run.exit.then(() => reject(new Error(`driver exited before logging ${message}; stderr: ${run.stderr}`)));
      }),
  };
  child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  return run;
}

async function runToExit(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startDriver(args, env);
  const code = await run.exit;
  return { code, stdout: run.stdout, stderr: run.stderr };
}

function socketPathFor(): string {
  return path.join(root, `d${counter++}`, 'echo.sock');
}

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('runDriverMain (spawned echo driver)', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('--help prints usage, flags, env fallbacks and every setting on stdout, exit 0', async () => {
    const { code, stdout, stderr } = await runToExit(['--help']);
    assert.equal(code, 0);
    assert.equal(stderr, '');
    for (const text of ['--bind-socket PATH', 'OPENSHELL_COMPUTE_DRIVER_SOCKET', 'OPENSHELL_LOG_LEVEL', 'greeting', 'ECHO_GREETING', '--greeting', 'delay_ms']) {
      assert.ok(stdout.includes(text), `help mentions ${text}`);
    }
  });

  it('--version prints name and version, exit 0', async () => {
    const { code, stdout } = await runToExit(['--version']);
    assert.equal(code, 0);
    assert.equal(stdout, 'shellgate-driver-echo 0.0.1-test\n');
  });

  it('without a socket explains how it is meant to be run, exit 2', async () => {
    const { code, stdout, stderr } = await runToExit([]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /is a Shellgate compute driver/);
    assert.match(stderr, /\[drivers\.echo\] in gateway\.toml/);
    assert.match(stderr, /--bind-socket/);
  });

  it('bad flags and bad config exit 2 naming their origin', async () => {
    const badFlag = await runToExit(['--bind-socket', socketPathFor(), '--bogus']);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /flag --bogus: unknown flag/);
    const badEnv = await runToExit(['--bind-socket', socketPathFor()], cleanEnv({ ECHO_DELAY_MS: 'soon' }));
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr, /env ECHO_DELAY_MS: expected an integer, got "soon"/);
    const configFile = path.join(root, 'bad.toml');
    await fsp.writeFile(configFile, 'greting = "hi"\n');
    const badFile = await runToExit(['--bind-socket', socketPathFor(), '--config', configFile]);
    assert.equal(badFile.code, 2);
    assert.ok(badFile.stderr.includes(`${configFile}:1:greting: unknown key "greting"`), badFile.stderr);
    assert.match(badFile.stderr, /hint: did you mean "greeting"\?/);
    const badLevel = await runToExit(['--bind-socket', socketPathFor()], cleanEnv({ OPENSHELL_LOG_LEVEL: 'loud' }));
    assert.equal(badLevel.code, 2);
    assert.match(badLevel.stderr, /env OPENSHELL_LOG_LEVEL: expected one of error, warn, info, debug/);
  });

  it('a setting createDriver refuses (INVALID_ARGUMENT) is a usage error: message and hint on stderr, exit 2', async () => {
    const socketPath = socketPathFor();
    const { code, stdout, stderr } = await runToExit(['--bind-socket', socketPath, '--greeting', 'refuse']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, 'shellgate-driver-echo: greeting "refuse" is not a greeting\nhint: pick a friendlier greeting\n');
    await assert.rejects(fsp.lstat(socketPath), { code: 'ENOENT' });
  });

  it('any other createDriver failure is logged as a failed start, exit 1', async () => {
    const { code, stderr } = await runToExit(['--bind-socket', socketPathFor(), '--greeting', 'crash']);
    assert.equal(code, 1);
    assert.match(stderr, /"message":"driver failed to start"/);
    assert.match(stderr, /echo driver bug/);
  });

  it('serves on the socket from env, answers GetCapabilities with its config, drains on SIGTERM', async () => {
    const socketPath = socketPathFor();
    const configFile = path.join(root, 'echo.toml');
    await fsp.writeFile(configFile, 'greeting = "from-file"\n');
    const run = startDriver(
      ['--config', configFile, '--greeting', 'from-flag'],
      cleanEnv({ OPENSHELL_COMPUTE_DRIVER_SOCKET: socketPath, ECHO_GREETING: 'from-env' }),
    );
    const serving = await run.waitForLog('serving');
    assert.equal(serving['socketPath'], socketPath);
    assert.equal(serving['name'], 'shellgate-driver-echo');
    const client = new ComputeDriverClient(`unix://${socketPath}`, credentials.createInsecure());
    try {
      const response = await new Promise<GetCapabilitiesResponse>((resolve, reject) =>
        client.getCapabilities({}, (error: ServiceError | null, value) => (error ? reject(error) : resolve(value))),
      );
      assert.equal(response.driverVersion, 'from-flag');
    } finally {
      client.close();
    }
    run.child.kill('SIGTERM');
    assert.equal(await run.exit, 0);
    await assert.rejects(fsp.lstat(socketPath), { code: 'ENOENT' });
    assert.equal(run.stdout, '', 'stdout is reserved');
    assert.match(run.stderr, /"message":"echo driver closed"/);
  });

  it('a second signal during the drain exits 1 at once', async () => {
    const socketPath = socketPathFor();
    const run = startDriver(['--bind-socket', socketPath]);
    await run.waitForLog('serving');
    const client = new ComputeDriverClient(`unix://${socketPath}`, credentials.createInsecure());
    try {
      const hanging = new Promise<void>((resolve) => client.listSandboxes({}, () => resolve()));
      // The call must be in flight before SIGTERM so the drain has something to wait for.
      await waitUntilCallArrives(client);
      run.child.kill('SIGTERM');
      const draining = await run.waitForLog('draining');
      assert.equal(draining['inFlightCalls'], 1);
      run.child.kill('SIGINT');
      assert.equal(await run.exit, 1);
      await hanging;
    } finally {
      client.close();
    }
    assert.equal(run.stdout, '');
  });

  it('a startup failure (a live driver already on the socket) is logged, exit 1, and the other keeps its socket', async () => {
    const socketPath = socketPathFor();
    await fsp.mkdir(path.dirname(socketPath), { mode: 0o700 });
    const other = net.createServer((socket) => socket.on('error', () => undefined).end());
    other.listen(socketPath);
    await once(other, 'listening');
    try {
      const { code, stdout, stderr } = await runToExit(['--bind-socket', socketPath]);
      assert.equal(code, 1);
      assert.equal(stdout, '');
      assert.match(stderr, /"message":"driver failed to start"/);
      assert.match(stderr, /a live driver is already serving/);
      assert.ok((await fsp.lstat(socketPath)).isSocket());
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

/**
 * GetCapabilities on the same channel is answered only after the earlier ListSandboxes was
 * dispatched to its handler, since grpc-js handles a connection's streams in order.
 */
async function waitUntilCallArrives(client: ComputeDriverClient): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    client.getCapabilities({}, (error: ServiceError | null) => (error ? reject(error) : resolve())),
  );
}
