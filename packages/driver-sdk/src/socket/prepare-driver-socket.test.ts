import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fsp } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { isShellgateError } from '../errors.js';
import { prepareDriverSocket } from './prepare-driver-socket.js';
import { nodeSocketFs } from './socket-fs.js';

const isRoot = process.getuid?.() === 0;
let root = '';
let counter = 0;

before(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'sg-sock-'));
});
after(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

/** A fresh private directory for one test. */
async function privateDir(): Promise<string> {
  const dir = path.join(root, `t${counter++}`);
  await fsp.mkdir(dir, { mode: 0o700 });
  return dir;
}

async function listen(socketPath: string): Promise<net.Server> {
  const server = net.createServer((socket) => {
    // The liveness probe hangs up at once; that reset is expected, not a test failure.
    socket.on('error', () => undefined);
    socket.end('pong');
  });
  server.listen(socketPath);
  await once(server, 'listening');
  return server;
}

async function closeServer(server: net.Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A child still running after this is killed, so every wait on it ends and the test fails instead of hanging. */
const CHILD_TIMEOUT_MS = 30_000;

/** A socket file nobody listens on: its owner was SIGKILLed, so nothing unlinked it. */
async function makeStaleSocket(socketPath: string): Promise<void> {
  const script = "require('net').createServer().listen(process.argv[1], () => console.log('ready'))";
  const child = spawn(process.execPath, ['-e', script, socketPath], { stdio: ['ignore', 'pipe', 'inherit'], timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' });
  await once(child.stdout, 'data');
  child.kill('SIGKILL');
  await once(child, 'exit');
}

async function assertRejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isShellgateError(error), `expected a ShellgateError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    assert.ok(error.hint, 'every refusal carries a hint');
    return true;
  });
}

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('prepareDriverSocket', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('creates the directory 0700, restricts the socket to 0600 and unlinks it on release', async () => {
    const dir = path.join(await privateDir(), 'run', 'nested');
    const socketPath = path.join(dir, 'driver.sock');
    const socket = await prepareDriverSocket(socketPath);
    assert.equal((await fsp.stat(dir)).mode & 0o777, 0o700);
    const server = await listen(socketPath);
    await socket.secure();
    assert.equal((await fsp.stat(socketPath)).mode & 0o777, 0o600);
    await socket.release();
    await assert.rejects(fsp.lstat(socketPath), { code: 'ENOENT' });
    await closeServer(server);
  });

  it('refuses a relative path and one too long for sun_path, naming path, length and limit', async () => {
    await assertRejectsWith(prepareDriverSocket('run/driver.sock'), 'INVALID_ARGUMENT', /is not absolute/);
    const longPath = `/tmp/${'d'.repeat(100)}/driver.sock`;
    await assertRejectsWith(prepareDriverSocket(longPath), 'INVALID_ARGUMENT', /is 117 bytes long; .* at most 107 bytes/);
    await assert.rejects(prepareDriverSocket(longPath), (error: Error) => error.message.includes(longPath));
    await assertRejectsWith(
      prepareDriverSocket(`/tmp/${'d'.repeat(100)}.sock`, { platform: 'darwin' }),
      'INVALID_ARGUMENT',
      /at most 103 bytes on darwin/,
    );
  });

  it('never steals a live socket: refuses, and the other server still answers', async () => {
    const socketPath = path.join(await privateDir(), 'driver.sock');
    const other = await listen(socketPath);
    try {
      await assertRejectsWith(prepareDriverSocket(socketPath), 'FAILED_PRECONDITION', /a live driver is already serving/);
      const reply = await new Promise<string>((resolve, reject) => {
        const client = net.connect({ path: socketPath });
        let data = '';
        client.on('data', (chunk: Buffer) => (data += chunk.toString()));
        client.on('end', () => resolve(data));
        client.on('error', reject);
      });
      assert.equal(reply, 'pong');
    } finally {
      await closeServer(other);
    }
  });

  it('removes a stale socket of ours that nobody answers on', async () => {
    const socketPath = path.join(await privateDir(), 'driver.sock');
    await makeStaleSocket(socketPath);
    assert.ok((await fsp.lstat(socketPath)).isSocket(), 'precondition: the stale socket file exists');
    const socket = await prepareDriverSocket(socketPath);
    await assert.rejects(fsp.lstat(socketPath), { code: 'ENOENT' });
    const server = await listen(socketPath);
    await socket.secure();
    await socket.release();
    await closeServer(server);
  });

  it('refuses a symlinked parent directory', async () => {
    const dir = await privateDir();
    await fsp.mkdir(path.join(dir, 'real'), { mode: 0o700 });
    await fsp.symlink(path.join(dir, 'real'), path.join(dir, 'link'));
    await assertRejectsWith(
      prepareDriverSocket(path.join(dir, 'link', 'driver.sock')),
      'FAILED_PRECONDITION',
      /link is a symlink/,
    );
  });

  it('refuses a symlink at the socket path and leaves it in place', async () => {
    const dir = await privateDir();
    const socketPath = path.join(dir, 'driver.sock');
    await fsp.writeFile(path.join(dir, 'target'), '');
    await fsp.symlink(path.join(dir, 'target'), socketPath);
    await assertRejectsWith(prepareDriverSocket(socketPath), 'FAILED_PRECONDITION', /it is a symlink/);
    assert.ok((await fsp.lstat(socketPath)).isSymbolicLink());
  });

  it('refuses a regular file at the socket path and leaves it in place', async () => {
    const socketPath = path.join(await privateDir(), 'driver.sock');
    await fsp.writeFile(socketPath, 'keep me');
    await assertRejectsWith(prepareDriverSocket(socketPath), 'FAILED_PRECONDITION', /not a socket/);
    assert.equal(await fsp.readFile(socketPath, 'utf8'), 'keep me');
  });

  it('refuses a directory others can enter', async () => {
    const dir = await privateDir();
    await fsp.chmod(dir, 0o755);
    await assertRejectsWith(prepareDriverSocket(path.join(dir, 'driver.sock')), 'FAILED_PRECONDITION', /mode 0755/);
  });

  it('refuses a directory owned by another uid (injected uid)', async () => {
    const dir = await privateDir();
    await assertRejectsWith(
      prepareDriverSocket(path.join(dir, 'driver.sock'), { uid: 4242 }),
      'FAILED_PRECONDITION',
      /owned by uid \d+, not by us \(uid 4242\)/,
    );
  });

  it('refuses a directory chowned to nobody', { skip: isRoot ? false : 'needs root to chown' }, async () => {
    const dir = await privateDir();
    await fsp.chown(dir, 65534, 65534);
    await assertRejectsWith(
      prepareDriverSocket(path.join(dir, 'driver.sock')),
      'FAILED_PRECONDITION',
      /owned by uid 65534, not by us \(uid 0\)/,
    );
  });

  it('refuses, and keeps, a stale socket that belongs to another uid', { skip: isRoot ? false : 'needs root to chown' }, async () => {
    const socketPath = path.join(await privateDir(), 'driver.sock');
    await makeStaleSocket(socketPath);
    await fsp.lchown(socketPath, 65534, 65534);
    await assertRejectsWith(prepareDriverSocket(socketPath), 'FAILED_PRECONDITION', /belongs to uid 65534/);
    assert.ok((await fsp.lstat(socketPath)).isSocket());
  });

  it('release leaves a socket that someone else bound after us', async () => {
    const socketPath = path.join(await privateDir(), 'driver.sock');
    const socket = await prepareDriverSocket(socketPath);
    const ours = await listen(socketPath);
    await socket.secure();
    await closeServer(ours);
    const theirs = await listen(socketPath);
    try {
      await socket.release();
      assert.ok((await fsp.lstat(socketPath)).isSocket(), 'the newer socket is still there');
      assert.equal(await nodeSocketFs.isAnswering(socketPath, 1000), true);
    } finally {
      await closeServer(theirs);
    }
  });
});
