import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { SandboxPhase, ServiceStatus } from '@shellgate/api';
import { FakeGateway, makeSandbox } from './test-support/fake-gateway.test.helper.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const BUNDLE = fileURLToPath(new URL('./shellgate.cjs', import.meta.url));
/** The children's $HOME, so the code cache never lands in the real one. */
const home = mkdtempSync(join(tmpdir(), 'shellgate-cli-home-'));

/** A child still running after this is killed, so every wait on it ends and the test fails instead of hanging. */
const CHILD_TIMEOUT_MS = 30_000;

/** Runs the built binary as a user would, with a clean environment. */
function runBinary(argv: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...argv], {
      env: { PATH: process.env['PATH'] ?? '', HOME: home, ...env },
      timeout: CHILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('the shellgate binary', { timeout: SUITE_TIMEOUT_MS }, () => {
  let gateway: FakeGateway;
  before(async () => {
    gateway = await FakeGateway.start({
      health: (_call, callback) => callback(null, { status: ServiceStatus.SERVICE_STATUS_HEALTHY, version: '0.1.0' }),
      getSandbox: (call, callback) => callback(null, { sandbox: makeSandbox(call.request.name, SandboxPhase.SANDBOX_PHASE_READY) }),
      execSandbox: (call) => {
        call.write({ payload: { $case: 'exit', exit: { exitCode: Number(call.request.command[1]) } } });
        call.end();
      },
      execSandboxInteractive: (call) => {
        call.once('data', () => {
          call.write({ payload: { $case: 'stdout', stdout: { data: Buffer.from('bye\n') } } });
          call.write({ payload: { $case: 'exit', exit: { exitCode: 0 } } });
          call.end();
        });
      },
    });
  });
  after(async () => {
    await gateway.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('starts with a node shebang', () => {
    assert.match(readFileSync(MAIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  it('--help prints usage and exits 0', async () => {
    const result = await runBinary(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: shellgate COMMAND \[flags\]/);
  });

  it('--version prints the version and exits 0', async () => {
    const result = await runBinary(['--version']);
    assert.equal(result.code, 0);
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(result.stdout, `shellgate ${version}\n`);
  });

  it('runs a command against a gateway named by $SHELLGATE_GATEWAY', async () => {
    const result = await runBinary(['gateway', 'health', '-o', 'json'], { SHELLGATE_GATEWAY: gateway.address });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { status: 'SERVICE_STATUS_HEALTHY', version: '0.1.0' });
  });

  it('prints YAML, whose library the bundled binary loads only for -o yaml', async () => {
    const result = await runBinary(['gateway', 'health', '-o', 'yaml'], { SHELLGATE_GATEWAY: gateway.address });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'status: SERVICE_STATUS_HEALTHY\nversion: 0.1.0\n');
  });

  it('is a launcher and one bundle: nothing but node built-ins (and lazy yaml) to resolve', () => {
    // scripts/bundle-bin.mjs; an unbundled bin pays ~80 ms more startup resolving ~200 files.
    const imports = [...readFileSync(MAIN, 'utf8').matchAll(/^import .* from ['"]([^'"]+)['"];?$/gm)].map((match) => match[1]);
    assert.deepEqual(imports.filter((specifier) => !specifier?.startsWith('node:')), []);
    const requires = [...readFileSync(BUNDLE, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]);
    assert.deepEqual([...new Set(requires.filter((specifier) => !specifier?.startsWith('node:') && !builtinModules.includes(specifier ?? '')))], ['yaml']);
  });

  it('keeps a V8 code cache under $HOME/.cache/shellgate, written once and then used', async () => {
    const cacheDir = join(home, '.cache', 'shellgate', 'v8-code-cache');
    rmSync(cacheDir, { recursive: true, force: true });
    assert.equal((await runBinary(['--version'])).code, 0);
    const [file, ...others] = readdirSync(cacheDir);
    assert.ok(file !== undefined && others.length === 0, `one cache file, got ${readdirSync(cacheDir).join(', ')}`);
    const written = statSync(join(cacheDir, file));
    assert.equal((await runBinary(['--version'])).code, 0);
    // A cache V8 rejected would be written again (a new inode by rename).
    assert.equal(statSync(join(cacheDir, file)).ino, written.ino);
  });

  // runBinary leaves the child's stdin an open pipe, as `sleep 60 | shellgate ...` would.
  it('exec exits with the remote exit code, without waiting for stdin', { timeout: 10_000 }, async () => {
    const result = await runBinary(['sandbox', 'exec', 'dev', '--', 'exit', '42'], { SHELLGATE_GATEWAY: gateway.address });
    assert.equal(result.code, 42, result.stderr);
  });

  it('exec -i ends when the command does, though stdin is still open', { timeout: 10_000 }, async () => {
    const result = await runBinary(['sandbox', 'exec', 'dev', '-i', '--', 'cat'], { SHELLGATE_GATEWAY: gateway.address });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'bye\n');
  });

  it('exits 2 on a usage error', async () => {
    const result = await runBinary(['sandbox', 'nope']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: unknown command "nope" for "shellgate sandbox"/);
  });
});
