import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ServiceStatus } from '@shellgate/api';
import { FakeGateway } from './test-support/fake-gateway.test.helper.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** Runs the built binary as a user would, with a clean environment. */
function runBinary(argv: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...argv], { env: { PATH: process.env['PATH'] ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the shellgate binary', () => {
  let gateway: FakeGateway;
  before(async () => {
    gateway = await FakeGateway.start({
      health: (_call, callback) => callback(null, { status: ServiceStatus.SERVICE_STATUS_HEALTHY, version: '0.1.0' }),
    });
  });
  after(() => gateway.close());

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

  it('is one bundled file: its static imports are node built-ins only', () => {
    // scripts/bundle-bin.mjs; an unbundled bin pays ~80 ms more startup resolving ~200 files.
    const specifiers = [...readFileSync(MAIN, 'utf8').matchAll(/^import .* from ['"]([^'"]+)['"];?$/gm)].map((match) => match[1]);
    assert.deepEqual(specifiers.filter((specifier) => !specifier?.startsWith('node:')), []);
  });

  it('exits 2 on a usage error', async () => {
    const result = await runBinary(['sandbox', 'nope']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: unknown command "nope" for "shellgate sandbox"/);
  });
});
