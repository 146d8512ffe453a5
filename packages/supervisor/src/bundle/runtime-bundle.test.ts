import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { FakeGateway } from '../testing/fake-gateway.js';
import { SupervisorProcess } from '../testing/supervisor-process.js';
import { buildRuntimeBundle, runtimeBundleFingerprint } from './runtime-bundle.js';
import { resolveEntrypoint, type RuntimeManifest } from '@shellgate/driver-sdk/sandbox-runtime';

const BUNDLE_MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bundle-main.js');

describe('shellgate-supervisor-bundle', () => {
  it('prints --help, and exits 2 with the usage when --out is missing', () => {
    const help = spawnSync(process.execPath, [BUNDLE_MAIN, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: shellgate-supervisor-bundle --out DIR \[--node PATH\]/);
    const missing = spawnSync(process.execPath, [BUNDLE_MAIN], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--out DIR is required/);
  });

  it('prints a stable hex --fingerprint that changes with the node it would ship', () => {
    const run = (...args: string[]): string => spawnSync(process.execPath, [BUNDLE_MAIN, '--fingerprint', ...args], { encoding: 'utf8', timeout: 30_000 }).stdout.trim();
    const first = run();
    assert.match(first, /^[0-9a-f]{32}$/);
    assert.equal(run(), first);
    assert.equal(runtimeBundleFingerprint(), first);
    assert.notEqual(run('--node', '/bin/sh'), first);
  });
});

describe('the runtime bundle', () => {
  const outDir = join(mkdtempSync(join(tmpdir(), 'supervisor-bundle-')), 'runtime');
  const progress: string[] = [];
  const gateway = new FakeGateway(1_000);
  let manifest: RuntimeManifest;
  const supervisors: SupervisorProcess[] = [];

  before(async () => {
    // Built twice: the second build replaces the first in place (idempotent rebuild).
    buildRuntimeBundle({ outDir });
    manifest = buildRuntimeBundle({ outDir, log: (line) => progress.push(line) });
    await gateway.start(0);
  });
  after(async () => {
    await Promise.all(supervisors.map((supervisor) => supervisor.kill()));
    gateway.stop();
  });

  it('writes the manifest, the files, world-readable modes, and reports its progress', () => {
    assert.deepEqual(JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')), {
      format: 1,
      supervisorVersion: '0.1.0',
      entrypoint: ['{root}/lib/ld-linux-x86-64.so.2', '--library-path', '{root}/lib', '{root}/bin/node', '{root}/supervisor.cjs'],
    });
    assert.deepEqual(manifest, JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')));
    const libraries = readdirSync(join(outDir, 'lib'));
    for (const name of ['ld-linux-x86-64.so.2', 'libc.so.6', 'libstdc++.so.6']) assert.ok(libraries.includes(name), `lib/${name}`);
    const modeOf = (path: string): number => statSync(join(outDir, path)).mode & 0o777;
    assert.equal(modeOf('bin/node'), 0o755);
    assert.equal(modeOf('lib/ld-linux-x86-64.so.2'), 0o755);
    assert.equal(modeOf('lib/libc.so.6'), 0o644);
    for (const file of ['supervisor.cjs', 'supervisor-main.cjs', 'supervisor-main.cjs.v8cache']) assert.equal(modeOf(file), 0o644, file);
    assert.equal(modeOf('pty.node'), 0o644);
    assert.equal(modeOf('lib'), 0o755);
    assert.ok(progress.some((line) => /^copied .*bin\/node \(\d+\.\d MB\)$/.test(line)), progress.join('\n'));
    assert.ok(progress.some((line) => line.startsWith('self-test passed')));
  });

  it('runs the supervisor through the bundled loader from a directory without node_modules, with an empty environment', () => {
    const [loader, ...args] = resolveEntrypoint(manifest, outDir);
    const result = spawnSync(loader!, [...args, '--version'], { env: {}, cwd: outDir, encoding: 'utf8' });
    assert.equal(result.stdout, '0.1.0\n', result.stderr);
    assert.equal(result.stderr, '', 'the code cache was accepted');
  });

  it('starts without its code cache when V8 refuses it, and says so on stderr', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'supervisor-bundle-copy-')), 'runtime');
    cpSync(outDir, copy, { recursive: true });
    writeFileSync(join(copy, 'supervisor-main.cjs.v8cache'), Buffer.alloc(4096, 7));
    const [loader, ...args] = resolveEntrypoint(manifest, copy);
    const result = spawnSync(loader!, [...args, '--version'], { env: {}, encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.stdout, '0.1.0\n', result.stderr);
    assert.match(result.stderr, /supervisor-main\.cjs\.v8cache was made by another node or other V8 flags; compiling without it/);
    rmSync(dirname(copy), { recursive: true, force: true });
  });

  it('holds a session, runs a tty exec with resize (pty.node found via lib/) and a main process', async () => {
    const supervisor = SupervisorProcess.start({
      endpoint: gateway.endpoint,
      sandboxId: 'bundle-1',
      launcher: resolveEntrypoint(manifest, outDir),
      isEnvironmentEmpty: true,
      args: ['--', 'sh', '-c', 'echo bundled-main; exec sleep 60'],
    });
    supervisors.push(supervisor);
    const session = await gateway.waitFor('hello from the bundled supervisor', () => gateway.sessions.find((candidate) => candidate.hello.sandboxId === 'bundle-1'));
    const coldStartMs = Date.now() - supervisor.startedAt;
    assert.equal(session.hello.token, 'test-token');
    const exec = gateway.startExec({ command: ['sh', '-c', 'stty size; read line; stty size'], tty: true, cols: 90, rows: 20 });
    await gateway.waitFor('the first size', () => exec.stdoutText.includes('20 90'));
    exec.send({ $case: 'resize', resize: { cols: 132, rows: 43 } });
    exec.send({ $case: 'stdin', stdin: Buffer.from('\n') });
    assert.equal((await exec.done()).exitCode, 0);
    assert.match(exec.stdoutText, /43 132/);
    await gateway.waitFor('the main output as a log line', () => gateway.logLines().some((line) => line.fields['shellgate.source'] === 'main' && line.message === 'bundled-main'));
    process.stdout.write(`# bundled supervisor cold start to hello received: ${coldStartMs} ms\n`);
  });

  it('runs the main process and a tty exec as --user 1234:1234 (started as root, as the Docker driver does)', async () => {
    const supervisor = SupervisorProcess.start({
      endpoint: gateway.endpoint,
      sandboxId: 'bundle-user-1',
      launcher: resolveEntrypoint(manifest, outDir),
      isEnvironmentEmpty: true,
      args: ['--user', '1234:1234', '--', 'sh', '-c', 'echo "bundled-main $(id -u):$(id -g)"; exec sleep 60'],
    });
    supervisors.push(supervisor);
    await gateway.waitFor('the main output as a log line', () => gateway.logLines().some((line) => line.fields['shellgate.source'] === 'main' && line.message === 'bundled-main 1234:1234'));
    const exec = gateway.startExec({ command: ['sh', '-c', 'echo "$(id -u):$(id -g)"'], tty: true });
    assert.equal((await exec.done()).exitCode, 0);
    assert.equal(exec.stdoutText, '1234:1234\r\n');
  });

  it('fails with a hint, and keeps the old bundle, when the node to ship cannot run', () => {
    const fakeNode = join(mkdtempSync(join(tmpdir(), 'not-node-')), 'node');
    writeFileSync(fakeNode, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    assert.throws(() => buildRuntimeBundle({ outDir, nodePath: fakeNode }), (error: Error & { hint?: string }) => /not a dynamically linked binary/.test(error.message) && error.hint !== undefined);
    assert.deepEqual(JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')), manifest);
  });
});
